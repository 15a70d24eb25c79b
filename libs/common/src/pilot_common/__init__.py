"""Shared plumbing for the cleaner-production pilot services."""
