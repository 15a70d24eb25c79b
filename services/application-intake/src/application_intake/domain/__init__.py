"""The application-intake domain: applications, province quotas and the eligibility engine (pure Python)."""
