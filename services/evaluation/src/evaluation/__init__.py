"""evaluation service."""
