"""The console's pages, one module per role (province, reviewer; the ministry desk and the auditor's timeline sit
beside them)."""
