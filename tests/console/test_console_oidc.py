"""Distributed mode's sign-in: the OpenID Connect authorization-code flow with PKCE against the organisation's IdP
(here the tests' provider, its discovery document and token endpoint served locally), the session in a signed
HttpOnly SameSite=Lax cookie, and the console's refusal to start without its settings."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from pilot_common.auth import JwksTokenVerifier
from pilot_common.settings import ServiceSettings
from pilot_console.app import create_console
from pilot_console.settings import ConsoleSettings
from tests.idp import IdentityProvider

CLIENT_ID = "pilot-console"


class IdpEndpoints:
    """Discovery and token endpoints of the tests' provider (its JWKS is served by `IdentityProvider`)."""

    def __init__(self, provider: IdentityProvider) -> None:
        self.provider = provider
        self.nonce = ""
        self.token_requests: list[dict[str, list[str]]] = []
        endpoints = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._json(
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{endpoints.base}/authorize",
                        "token_endpoint": f"{endpoints.base}/token",
                        "jwks_uri": provider.jwks_url,
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                        "code_challenge_methods_supported": ["S256"],
                    }
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                endpoints.token_requests.append(parse_qs(self.rfile.read(length).decode()))
                id_claims = {"aud": CLIENT_ID, "nonce": endpoints.nonce}
                self._json(
                    {
                        "access_token": provider.token("js.oidc", "province", province="320000"),
                        "id_token": provider.token("js.oidc", "province", province="320000", claims=id_claims),
                        "token_type": "Bearer",
                        "expires_in": 3600,
                    }
                )

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def idp(identity_provider: IdentityProvider) -> Iterator[IdpEndpoints]:
    endpoints = IdpEndpoints(identity_provider)
    try:
        yield endpoints
    finally:
        endpoints.close()


def test_sign_in_goes_to_the_idp_with_a_code_flow_and_comes_back_signed_in(idp: IdpEndpoints) -> None:
    settings = ConsoleSettings(
        session_secret="s" * 48,
        oidc_metadata_url=f"{idp.base}/.well-known/openid-configuration",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="client-secret-of-the-test",
    )
    assert settings.refusals() == []
    verifier = JwksTokenVerifier.from_settings(
        ServiceSettings(
            service_name="pilot-console", oidc_jwks_url=idp.provider.jwks_url, jwt_issuer=idp.provider.issuer
        )
    )
    app = create_console(settings, verifier=verifier)
    with TestClient(app, base_url="http://console.test") as browser:
        page = browser.get("/signin")
        assert page.status_code == 200 and "使用统一身份认证登录" in page.text
        assert "data-user" not in page.text  # no demo users outside the embedded default

        redirect = browser.get("/signin/oidc?next=/province", follow_redirects=False)
        assert redirect.status_code == 302
        target = urlsplit(redirect.headers["location"])
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{idp.base}/authorize"
        assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
        assert query["redirect_uri"] == "http://console.test/auth/callback"
        assert query["scope"] == "openid profile"
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
        assert query["state"] and query["nonce"]
        cookie = redirect.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()

        # The IdP sends the browser back with a code; the console exchanges it (with the PKCE verifier)
        idp.nonce = query["nonce"]
        back = browser.get(f"/auth/callback?code=the-code&state={query['state']}", follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"] == "/province"
        [exchange] = idp.token_requests
        assert exchange["grant_type"] == ["authorization_code"] and exchange["code"] == ["the-code"]
        assert exchange["code_verifier"][0]

        # A forged state is refused: no session
        browser.cookies.clear()
        browser.get("/signin/oidc", follow_redirects=False)
        forged = browser.get("/auth/callback?code=x&state=not-the-state", follow_redirects=False)
        assert forged.headers["location"] == "/signin"
        assert browser.get("/province", follow_redirects=False).headers["location"].startswith("/signin")


def test_the_console_refuses_to_start_on_its_own_without_its_settings() -> None:
    refusals = ConsoleSettings(session_secret="change-me-please-change-me-please-0000").refusals()
    assert any("PILOT_CONSOLE_SESSION_SECRET" in r for r in refusals)
    assert any("PILOT_CONSOLE_OIDC_METADATA_URL" in r for r in refusals)
    assert any("DEMO_SIGN_IN" in r for r in ConsoleSettings(session_secret="x" * 40, demo_sign_in=True).refusals())
