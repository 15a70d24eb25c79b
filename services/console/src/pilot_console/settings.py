"""The console's configuration (environment `PILOT_CONSOLE_*`): where the three services are, the session key, and
the organisation's OpenID Connect provider (distributed mode)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Placeholder values a deployment must replace; the console refuses them outside the embedded default.
_PLACEHOLDERS = ("change-me", "changeme", "example", "insecure")


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PILOT_CONSOLE_", extra="ignore")

    registry_url: str = "http://127.0.0.1:8001"
    intake_url: str = "http://127.0.0.1:8002"
    evaluation_url: str = "http://127.0.0.1:8003"
    # Signs the session cookie (itsdangerous); 32+ bytes, the same on every replica.
    session_secret: str = Field(default="", repr=False)
    # Cookies only over HTTPS (behind TLS in production).
    cookie_secure: bool = False
    session_max_age_seconds: int = Field(default=8 * 3600, gt=0)
    # Embedded default only: a sign-in page listing the demo users, tokens from the registry's /dev/tokens.
    demo_sign_in: bool = False
    # Distributed mode: the authorization-code flow against the organisation's IdP.
    oidc_metadata_url: str | None = None  # …/.well-known/openid-configuration
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_scope: str = "openid profile"
    # Where the IdP sends the browser back (the console's public address + /auth/callback); derived when empty.
    oidc_redirect_url: str | None = None
    timeout_seconds: float = Field(default=60.0, gt=0)

    def refusals(self) -> list[str]:
        """Why the console may not start on its own (distributed mode) with these settings."""
        problems = []
        if len(self.session_secret.encode()) < 32 or any(p in self.session_secret.lower() for p in _PLACEHOLDERS):
            problems.append("set PILOT_CONSOLE_SESSION_SECRET to a random value of 32+ bytes")
        if self.demo_sign_in:
            problems.append("PILOT_CONSOLE_DEMO_SIGN_IN is for the embedded default only")
        if not (self.oidc_metadata_url and self.oidc_client_id):
            problems.append("set PILOT_CONSOLE_OIDC_METADATA_URL and PILOT_CONSOLE_OIDC_CLIENT_ID (the IdP)")
        return problems
