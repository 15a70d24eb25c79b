"""pilot-audit: the auditor's command line (`python -m pilot_audit`, `pilot-audit`)."""
