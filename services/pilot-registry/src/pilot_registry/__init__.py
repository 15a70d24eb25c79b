"""pilot-registry service."""
