"""The embedded default: the three services in one process, on SQLite files, linked by the in-process bus."""
