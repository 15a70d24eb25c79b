"""The evaluation service's HTTP API (FastAPI routers)."""
