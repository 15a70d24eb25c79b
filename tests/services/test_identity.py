"""Identity in distributed mode: tokens of the organisation's OIDC identity provider (a local one the test suite
serves), verified against its JWKS; services that refuse to start without proper verification and never mint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from pilot_common.auth import (
    ClaimMapping,
    JwksTokenVerifier,
    TokenIssuer,
    distributed_identity_problems,
)
from pilot_common.context import Role
from pilot_common.problems import ProblemError
from pilot_common.settings import DEV_JWT_SECRET, ServiceSettings
from tests.idp import AUDIENCE, IdentityProvider, SigningKey
from tests.infra import answers, free_port
from tests.services.conftest import Deployment, eventually

ROOT = Path(__file__).resolve().parents[2]


def verifier(idp: IdentityProvider, **claims: Any) -> JwksTokenVerifier:
    return JwksTokenVerifier(idp.jwks_url, idp.issuer, AUDIENCE, claims=ClaimMapping(**claims), cooldown=0)


def refused(check: Any, code: str) -> ProblemError:
    with pytest.raises(ProblemError) as caught:
        check()
    assert caught.value.code == code, caught.value
    return caught.value


# --- the verifier on its own ------------------------------------------------------------------------------


def test_tokens_of_the_identity_provider_are_verified_against_its_keys(identity_provider: IdentityProvider) -> None:
    idp = identity_provider
    check = verifier(idp)
    for key in idp.keys:  # RS256 and ES256
        principal = check.verify(idp.token("li.na", "province", province="320000", key=key))
        assert (principal.user_id, principal.role, principal.province) == ("li.na", Role.PROVINCE, "320000")

    stranger = SigningKey("RS256")
    stranger.kid = idp.keys[0].kid  # same key id, another key: the signature must not verify
    problem = refused(lambda: check.verify(idp.token("x", "ministry", key=stranger)), "TOKEN_INVALID")
    assert problem.detail == "the signature does not verify"
    refused(lambda: check.verify(idp.token("x", "ministry", key=SigningKey("RS256"))), "TOKEN_INVALID")
    refused(lambda: check.verify(idp.token("x", "ministry", ttl=-120)), "TOKEN_EXPIRED")
    refused(lambda: check.verify(idp.token("x", "ministry", claims={"aud": "another-app"})), "TOKEN_INVALID")
    refused(lambda: check.verify(idp.token("x", "ministry", claims={"iss": "https://evil.example"})), "TOKEN_INVALID")
    # the development secret, or HS256 at all, is no way in
    dev = TokenIssuer(DEV_JWT_SECRET, idp.issuer, AUDIENCE).issue("x", Role.MINISTRY)
    refused(lambda: check.verify(dev), "TOKEN_INVALID")
    unsigned = jwt.encode({"sub": "x", "role": "ministry", "iss": idp.issuer, "aud": AUDIENCE}, None, algorithm="none")
    refused(lambda: check.verify(unsigned), "TOKEN_INVALID")
    refused(lambda: check.verify("not-a-token"), "TOKEN_INVALID")


def test_roles_and_province_come_from_configurable_claims(identity_provider: IdentityProvider) -> None:
    idp = identity_provider
    check = verifier(
        idp,
        role="realm_access.roles",
        province="gb2260",
        roles={"pilot-ministry": Role.MINISTRY, "pilot-province": Role.PROVINCE},
    )
    token = idp.token(
        "zhang.wei",
        "ignored",
        claims={"realm_access": {"roles": ["offline_access", "pilot-province"]}, "gb2260": "370000"},
    )
    principal = check.verify(token)
    assert (principal.role, principal.province) == (Role.PROVINCE, "370000")
    both = idp.token("x", "ignored", claims={"realm_access": {"roles": ["pilot-ministry", "pilot-province"]}})
    refused(lambda: check.verify(both), "TOKEN_INVALID")
    refused(lambda: check.verify(idp.token("x", "ministry")), "TOKEN_INVALID")  # not a mapped value
    no_province = idp.token("x", "ignored", claims={"realm_access": {"roles": ["pilot-province"]}})
    refused(lambda: check.verify(no_province), "TOKEN_INVALID")


def test_a_service_started_on_its_own_accepts_only_proper_verification(identity_provider: IdentityProvider) -> None:
    def problems(**settings: Any) -> list[str]:
        return distributed_identity_problems(ServiceSettings(service_name="pilot-registry", **settings))

    assert problems(**{"oidc_jwks_url": identity_provider.jwks_url, "jwt_issuer": identity_provider.issuer}) == []
    assert problems(jwt_secret="7Yq2-vKp9s_Lx4TnW0aBc8dEfGhJ3kMzR6uV1") == []
    assert "no token verification configured" in problems()[0]
    assert problems(jwt_secret="change-me-to-a-long-random-secret-of-32-bytes-or-more")
    assert problems(jwt_secret="a" * 40)
    assert problems(oidc_jwks_url="http://idp.example/jwks", jwt_issuer="https://idp.example")  # not https
    assert problems(oidc_jwks_url="https://idp.example/jwks")  # issuer left at the development default
    assert problems(oidc_jwks_url=identity_provider.jwks_url, jwt_issuer="x", dev_tokens_enabled=True)


# --- a service process on its own -------------------------------------------------------------------------


_IDENTITY_ENV = ("PILOT_JWT_SECRET", "PILOT_DEV_TOKENS", "PILOT_OIDC_JWKS_URL", "PILOT_JWT_ISSUER")


def _run(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    surrounding = {k: v for k, v in os.environ.items() if k not in _IDENTITY_ENV}
    return subprocess.run(
        [sys.executable, "-m", "pilot_registry"],
        cwd=ROOT,
        env={**surrounding, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({}, "no token verification configured"),
        ({"PILOT_JWT_SECRET": DEV_JWT_SECRET}, "no token verification configured"),
        ({"PILOT_JWT_SECRET": "change-me-to-a-long-random-secret-of-32-bytes-or-more"}, "known"),
        ({"PILOT_JWT_SECRET": "short"}, "jwt_secret"),
        ({"PILOT_JWT_SECRET": "9fK2-qLx7Vb0Zs4NwT8yHc1RmE6uJd3AgP5o", "PILOT_DEV_TOKENS": "true"}, "PILOT_DEV_TOKENS"),
    ],
)
def test_distributed_start_is_refused_without_proper_verification(
    tmp_path: Path, extra: dict[str, str], says: str
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/r.db", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", **extra}
    result = _run(env)
    assert result.returncode != 0
    assert says in result.stderr, result.stderr[-2000:]
    assert "Uvicorn running" not in result.stderr


@pytest.fixture
def registry_process(deployment: Deployment, identity_provider: IdentityProvider, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = deployment.settings("pilot-registry")
    env = {
        **os.environ,
        **identity_provider.env(),
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": deployment.kafka or "",
        "PILOT_KAFKA_NAMESPACE": deployment.namespace,
        "PILOT_PORT": str(port),
        "PILOT_CLAIM_ROLE": "realm_access.roles",
        "PILOT_ROLE_MAP": json.dumps({"pilot-ministry": "ministry", "pilot-auditor": "auditor"}),
        "PILOT_LOG_LEVEL": "WARNING",
    }
    env.pop("PILOT_HOST", None)  # the default: loopback only
    env.pop("PILOT_JWT_SECRET", None)
    log = (tmp_path / "registry.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "pilot_registry"], cwd=ROOT, env=env, stderr=log, stdout=log)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert server.poll() is None, (tmp_path / "registry.log").read_text()[-3000:]
        return answers(f"{base}/readyz")

    try:
        eventually(ready, timeout=90)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_a_service_on_its_own_trusts_only_its_identity_provider(
    registry_process: str, identity_provider: IdentityProvider
) -> None:
    idp, base = identity_provider, registry_process

    def get(path: str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(f"{base}{path}", headers=headers, timeout=30)

    def roles(*names: str) -> dict[str, Any]:
        return {"realm_access": {"roles": list(names)}}

    ministry = idp.token("wang.mee", "x", org="MEE", claims=roles("offline_access", "pilot-ministry"))
    assert get("/organisations", ministry).status_code == 200
    assert get("/organisations", idp.token("x", "x", key=idp.keys[1], claims=roles("pilot-auditor"))).status_code == 200

    cases = {
        "another key": idp.token("x", "x", key=SigningKey("RS256"), claims=roles("pilot-ministry")),
        "expired": idp.token("x", "x", ttl=-300, claims=roles("pilot-ministry")),
        "no mapped role": idp.token("x", "ministry"),
        "the development secret": TokenIssuer(DEV_JWT_SECRET, idp.issuer, AUDIENCE).issue("x", Role.MINISTRY),
        "none": None,
    }
    for name, token in cases.items():
        response = get("/organisations", token)
        assert response.status_code == 401, name
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] in {"TOKEN_INVALID", "TOKEN_EXPIRED", "UNAUTHENTICATED"}, name

    # services never mint tokens in distributed mode
    minted = httpx.post(f"{base}/dev/tokens", json={"sub": "mee.li"}, timeout=30)
    assert minted.status_code == 404
    assert "/dev/tokens" not in httpx.get(f"{base}/openapi.json", timeout=30).json()["paths"]
    # an unknown key id does not make the service hammer the identity provider
    before = idp.fetches
    for _ in range(5):
        get("/organisations", idp.token("x", "x", key=SigningKey("RS256"), claims=roles("pilot-ministry")))
    assert idp.fetches - before <= 1
