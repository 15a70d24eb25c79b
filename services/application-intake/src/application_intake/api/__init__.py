"""The intake HTTP API (FastAPI routers)."""
