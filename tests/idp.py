"""A local OIDC identity provider for the tests: an RSA (or EC) key, its JWKS served over HTTP by the test
process, and tokens signed with it, claims as a real provider would send them."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "cleaner-production-pilots"


class SigningKey:
    def __init__(self, algorithm: str = "RS256") -> None:
        self.algorithm = algorithm
        self.kid = uuid.uuid4().hex[:16]
        if algorithm.startswith("ES"):
            self.private: Any = ec.generate_private_key(ec.SECP256R1())
            public = json.loads(ECAlgorithm.to_jwk(self.private.public_key()))
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        self.jwk = {**public, "kid": self.kid, "use": "sig", "alg": algorithm}


class IdentityProvider:
    """Serves `GET /jwks.json`; `token(...)` signs with its key (or with any `SigningKey` given)."""

    def __init__(self) -> None:
        self.keys = [SigningKey("RS256"), SigningKey("ES256")]
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/jwks.json":
                    self.send_error(404)
                    return
                provider.fetches += 1
                body = json.dumps({"keys": [key.jwk for key in provider.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self._server.server_address[:2]
        self.base = f"http://{host}:{port}"
        self.issuer = f"{self.base}/realms/pilots"
        self.jwks_url = f"{self.base}/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def env(self) -> dict[str, str]:
        """The settings of a service that trusts this provider (environment of `python -m …`)."""
        return {
            "PILOT_OIDC_JWKS_URL": self.jwks_url,
            "PILOT_JWT_ISSUER": self.issuer,
            "PILOT_JWT_AUDIENCE": AUDIENCE,
        }

    def token(
        self,
        sub: str,
        role: str | list[str],
        *,
        province: str | None = None,
        org: str | None = None,
        key: SigningKey | None = None,
        ttl: int = 3600,
        claims: Mapping[str, Any] | None = None,
        role_claim: str = "role",
    ) -> str:
        key = key or self.keys[0]
        now = int(time.time())
        payload: dict[str, Any] = {
            "sub": sub,
            role_claim: role,
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + ttl,
            "name": sub,
        }
        if province is not None:
            payload["province"] = province
        if org is not None:
            payload["org"] = org
        payload.update(claims or {})
        return jwt.encode(payload, key.private, algorithm=key.algorithm, headers={"kid": key.kid})

    def bearer(self, sub: str, role: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, role, **kwargs)}"}


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    try:
        yield provider
    finally:
        provider.close()
