"""application-intake service."""
