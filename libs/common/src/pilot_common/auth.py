"""Bearer JWT authentication, role guards and the development token endpoint.

Two ways to verify a token: in distributed mode the organisation's OIDC identity provider signs (RS256/ES256)
and the services check each token against its published keys (JWKS), issuer and audience, reading the role and
province from configurable claims (`JwksTokenVerifier`); the embedded default and the tests share an HS256
secret (`TokenVerifier`) and may mint tokens for the fixed demo users only (`/dev/tokens`). A service started on
its own (`serve.py`) refuses to start without proper verification (`distributed_identity_problems`).

Tokens carry who the user is and the one thing the services scope by: the role, and for province users the
GB/T 2260 code of their province. The request middleware in `web.py` verifies the token once per request and
puts the actor into the call context *around* the whole request, so that the context is the same in `async def`
endpoints, plain `def` endpoints (run in a worker thread with a copy of the context) and the error handlers.
The dependencies here only read what the middleware found.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Literal, Protocol
from urllib.parse import urlsplit

import jwt
from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from pilot_common.context import Actor, Role
from pilot_common.problems import ProblemError, forbidden_province, forbidden_role, unauthorized
from pilot_common.settings import DEV_ISSUER, DEV_JWT_SECRET, ServiceSettings

_log = logging.getLogger(__name__)

ALGORITHM = "HS256"
PROVINCE_CODE = re.compile(r"^\d{6}$")
# The actor of requests without a valid token. Endpoints that change anything must depend on
# `authenticated`; this only keeps such a mistake visible ("anonymous") in the audit trail.
ANONYMOUS_ACTOR = Actor(user_id="anonymous", role=Role.SERVICE)


@dataclass(frozen=True)
class Principal:
    """The verified caller of this request."""

    user_id: str
    role: Role
    name: str | None = None
    province: str | None = None  # GB/T 2260 six-digit code; always set for role province
    organisation: str | None = None  # "MEE"/"NDRC" for ministry staff, the organisation id for reviewers

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, province=self.province, organisation=self.organisation)


def _claims_problem(role: Role, province: str | None) -> str | None:
    if province is not None and not PROVINCE_CODE.match(province):
        return "province must be a six-digit GB/T 2260 code"
    if role is Role.PROVINCE and province is None:
        return "a province user's token must carry the province claim"
    return None


# Why a token was refused, in words that name no library and echo nothing of the token.
_REJECTIONS: tuple[tuple[type[Exception], str, str], ...] = (
    (jwt.InvalidSignatureError, "the signature does not verify", "签名校验失败"),
    (jwt.InvalidAudienceError, "the token is for another audience", "凭证的受众（aud）不符"),
    (jwt.InvalidIssuerError, "the token is from another issuer", "凭证的签发方（iss）不符"),
    (jwt.ImmatureSignatureError, "the token is not valid yet", "凭证尚未生效"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim", "凭证缺少必需的声明"),
    (jwt.InvalidAlgorithmError, "the token's signing algorithm is not accepted", "凭证的签名算法不被接受"),
    (jwt.PyJWKClientError, "the token's signing key is not one of the identity provider's", "签名密钥不属于身份提供方"),
    (jwt.DecodeError, "the token is malformed", "凭证格式错误"),
)


def token_rejected(exc: Exception) -> ProblemError:
    detail, detail_zh = next(
        ((en, zh) for kind, en, zh in _REJECTIONS if isinstance(exc, kind)),
        ("the token was rejected", "凭证未通过校验"),
    )
    problem = unauthorized("TOKEN_INVALID", detail)
    problem.detail_zh = detail_zh
    return problem


def _invalid(detail: str, detail_zh: str) -> ProblemError:
    problem = unauthorized("TOKEN_INVALID", detail)
    problem.detail_zh = detail_zh
    return problem


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path, e.g. `realm_access.roles` (Keycloak) or plain `role`."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class ClaimMapping:
    """Where the identity provider puts who the user is. `roles` maps the provider's values (e.g. group
    names) to our roles; without it a claim value must be one of our role names. The role claim may hold one
    value or a list; exactly one of them must map to a role."""

    role: str = "role"
    province: str = "province"
    organisation: str = "org"
    name: str = "name"
    roles: Mapping[str, Role] = field(default_factory=dict)

    def _role(self, value: Any) -> Role:
        values = value if isinstance(value, list) else [value]
        found: set[Role] = set()
        for item in values:
            if not isinstance(item, str):
                continue
            if self.roles:
                if item in self.roles:
                    found.add(self.roles[item])
            elif item in Role.__members__.values():
                found.add(Role(item))
        if len(found) != 1:
            raise _invalid(
                "the token must carry exactly one known role" + (" (it has several)" if found else ""),
                "凭证须且只能带有一个已知角色",
            )
        return found.pop()

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 256:
            raise _invalid("the token's subject (sub) is missing or invalid", "凭证的主体（sub）缺失或无效")
        role = self._role(_claim(claims, self.role))
        optional = {
            "name": _claim(claims, self.name),
            "province": _claim(claims, self.province),
            "org": _claim(claims, self.organisation),
        }
        if any(value is not None and not isinstance(value, str) for value in optional.values()):
            raise _invalid("name, province and organisation claims must be strings", "姓名、省份和单位声明须为字符串")
        problem = _claims_problem(role, optional["province"])
        if problem:
            raise _invalid(problem, "省级用户的凭证须带有六位行政区划代码（省份）")
        return Principal(
            user_id=subject,
            role=role,
            name=optional["name"],
            province=optional["province"],
            organisation=optional["org"],
        )


DEFAULT_CLAIMS = ClaimMapping()


class Verifier(Protocol):
    # True when verifying may wait on the network (fetching the identity provider's keys)
    blocking: bool

    def verify_authorization(self, authorization: str | None) -> Principal: ...


def _bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("UNAUTHENTICATED", "send 'Authorization: Bearer <token>'")
    return token.strip()


class VerifiedTokens:
    """A bounded memo of tokens that verified: token string -> the principal verification gave.

    Verifying an HS256 token costs ~4 % of a request's CPU; a client sends the same token for an hour. An entry
    is served only while the token itself would still verify on expiry (until `exp + leeway`, the moment PyJWT
    starts refusing it) and never longer than `max_age` seconds (so a key the identity provider withdraws
    stops working as soon as it would without the memo's help, give or take that age). The key is the whole
    token, signature included: a changed byte is another key and is verified. Failures are never kept; the
    least recently used entry goes first beyond `max_entries`. Thread-safe (JWKS verification runs in
    worker threads)."""

    def __init__(
        self, *, max_entries: int = 4096, max_age: float = 60.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            principal, until = entry
            if now >= until:
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            return principal

    def put(self, token: str, principal: Principal, valid_until: float) -> None:
        """Remember a verified token until `valid_until` (its `exp` plus the verifier's leeway), capped."""
        until = min(valid_until, self._clock() + self.max_age)
        with self._lock:
            self._entries[token] = (principal, until)
            self._entries.move_to_end(token)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class JwksTokenVerifier:
    """Verifies tokens of an OIDC identity provider: signature against its JWKS (keys cached, refetched on an
    unknown key id at most every `cooldown` seconds), the algorithm pinned to asymmetric ones, issuer, audience,
    expiry; then the claims mapped to a principal."""

    blocking = True

    def __init__(
        self,
        jwks_url: str,
        issuer: str,
        audience: str,
        *,
        algorithms: Sequence[str] = ("RS256", "ES256"),
        claims: ClaimMapping = DEFAULT_CLAIMS,
        leeway: float = 30.0,
        cooldown: float = 30.0,
    ) -> None:
        unsafe = [a for a in algorithms if not a.startswith(("RS", "ES", "PS", "EdDSA"))]
        if unsafe or not algorithms:
            raise ValueError(f"only asymmetric algorithms verify tokens of an identity provider, not {unsafe}")
        self._client = jwt.PyJWKClient(jwks_url, cache_keys=False, lifespan=300, timeout=5, cooldown_duration=cooldown)
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.claims = claims
        self.leeway = leeway
        self.verified = VerifiedTokens()

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> JwksTokenVerifier:
        assert settings.oidc_jwks_url
        return cls(
            settings.oidc_jwks_url,
            settings.jwt_issuer,
            settings.jwt_audience,
            algorithms=settings.oidc_algorithms,
            claims=ClaimMapping(
                role=settings.claim_role,
                province=settings.claim_province,
                organisation=settings.claim_org,
                name=settings.claim_name,
                roles={key: Role(value) for key, value in settings.role_map.items()},
            ),
        )

    def verify(self, token: str) -> Principal:
        cached = self.verified.get(token)
        if cached is not None:
            return cached
        try:
            key = self._client.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["sub", "iss", "aud", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("TOKEN_EXPIRED", "the token has expired; obtain a new one") from None
        except jwt.PyJWKClientConnectionError:
            _log.warning("the identity provider's keys could not be fetched", exc_info=True)
            raise ProblemError(
                503,
                "IDENTITY_PROVIDER_UNAVAILABLE",
                "身份提供方暂不可用",
                "Identity provider unavailable",
                "the identity provider's signing keys could not be fetched; try again shortly",
                detail_zh="暂时无法获取身份提供方的签名密钥，请稍后重试",
                headers={"Retry-After": "10"},
            ) from None
        except jwt.PyJWTError as exc:
            raise token_rejected(exc) from None
        principal = self.claims.principal(claims)
        self.verified.put(token, principal, claims["exp"] + self.leeway)
        return principal

    def verify_authorization(self, authorization: str | None) -> Principal:
        return self.verify(_bearer_token(authorization))


def token_verifier(settings: ServiceSettings) -> Verifier:
    """The OIDC verifier where a JWKS URL is configured, else the shared-secret one."""
    if settings.oidc_jwks_url:
        return JwksTokenVerifier.from_settings(settings)
    return TokenVerifier.from_settings(settings)


class TokenIssuer:
    """Mints tokens: the development token endpoint, tests and the embedded mode's demo users."""

    def __init__(
        self,
        secret: str,
        issuer: str,
        audience: str,
        ttl: int = 3600,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret.encode()) < 32:
            raise ValueError("the HS256 secret must be at least 32 bytes")  # RFC 7518 §3.2
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenIssuer:
        return cls(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience, settings.token_ttl_seconds)

    def issue(
        self,
        sub: str,
        role: Role,
        name: str | None = None,
        province: str | None = None,
        org: str | None = None,
        ttl: int | None = None,
    ) -> str:
        role = Role(role)
        problem = _claims_problem(role, province)
        if problem:
            raise ValueError(problem)
        lifetime = self.ttl if ttl is None else ttl
        if not sub or lifetime <= 0:
            raise ValueError("sub must be non-empty and ttl positive")
        now = int(self._clock())
        claims: dict[str, Any] = {
            "sub": sub,
            "role": str(role),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + lifetime,
        }
        optional = {"name": name, "province": province, "org": org}
        claims.update({key: value for key, value in optional.items() if value is not None})
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)


class TokenVerifier:
    """HS256 with a shared secret: the embedded default and the tests (and a deployment with a strong secret)."""

    blocking = False

    def __init__(self, secret: str, issuer: str, audience: str, *, leeway: float = 30.0) -> None:
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway  # tolerated clock skew between the issuer and the services
        self.verified = VerifiedTokens()

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenVerifier:
        return cls(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; otherwise a 401 ProblemError TOKEN_EXPIRED or TOKEN_INVALID."""
        cached = self.verified.get(token)
        if cached is not None:
            return cached
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],  # pinned: no "none", no RS/HS confusion
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["sub", "role", "iss", "aud", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("TOKEN_EXPIRED", "the token has expired; obtain a new one") from None
        except jwt.InvalidTokenError as exc:
            raise token_rejected(exc) from None
        principal = DEFAULT_CLAIMS.principal(claims)
        self.verified.put(token, principal, claims["exp"] + self.leeway)
        return principal

    def verify_authorization(self, authorization: str | None) -> Principal:
        """Verify an `Authorization` header value; a missing or non-bearer one is UNAUTHENTICATED."""
        return self.verify(_bearer_token(authorization))


def authenticate(verifier: Verifier | None, authorization: str | None) -> tuple[Principal | None, ProblemError | None]:
    """What the middleware records per request: the principal, or why there is none (never raises)."""
    if verifier is None:
        return None, unauthorized("UNAUTHENTICATED", "this service accepts no tokens")
    try:
        return verifier.verify_authorization(authorization), None
    except ProblemError as problem:
        return None, problem


# Only for the OpenAPI security scheme (the "Authorize" button); the middleware does the real parsing.
_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="Bearer JWT from the identity provider (embedded demo: POST /dev/tokens) / 身份提供方签发的令牌",
)


# The bearer scheme as a parameter of each checking dependency (it puts the "Authorize" button on its routes), which
# then reads the caller with `principal_of` rather than depending on `authenticated`: FastAPI solves every level of
# a route's dependencies again on every request.
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


def principal_of(request: Request) -> Principal:
    """The verified caller the request middleware recorded, or 401 (why there is none)."""
    state = request.state
    if not hasattr(state, "principal"):
        # Without the middleware the actor would be missing from every recorded event: fail loudly.
        raise RuntimeError("authenticated needs the request middleware; build the app with create_service_app")
    principal: Principal | None = state.principal
    if principal is None:
        problem: ProblemError | None = getattr(state, "auth_problem", None)
        raise problem or unauthorized()
    return principal


async def authenticated(request: Request, _credentials: BearerCredentials = None) -> Principal:
    """Dependency: the verified caller, or 401. The call context was already set by the middleware."""
    return principal_of(request)


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory: `Depends(require_roles(Role.MINISTRY))` lets only those roles through (else 403)."""
    allowed = frozenset(roles)

    async def guard(request: Request, _credentials: BearerCredentials = None) -> Principal:
        principal = principal_of(request)
        if principal.role not in allowed:
            names = ", ".join(sorted(str(role) for role in allowed))
            raise forbidden_role(f"role {principal.role} may not do this; allowed: {names}")
        return principal

    return guard


def can_write(principal: Principal) -> bool:
    """Auditors read everything and change nothing."""
    return principal.role is not Role.AUDITOR


async def require_writer(principal: CurrentPrincipal) -> Principal:
    """Dependency for any endpoint that changes state."""
    if not can_write(principal):
        raise forbidden_role("auditors have read-only access")
    return principal


def can_access_province(principal: Principal, province: str) -> bool:
    """Province users only see and change their own province; other roles are scoped elsewhere."""
    return principal.role is not Role.PROVINCE or principal.province == province


def ensure_province_access(principal: Principal, province: str) -> None:
    if not can_access_province(principal, province):
        raise forbidden_province(f"this account is scoped to province {principal.province}")


# --- development tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    """One of the fixed demo users of the embedded default (and the only users `/dev/tokens` mints for)."""

    label: str
    sub: str
    role: Role
    province: str | None = None
    org: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("ministry (MEE 科技与财务司)", "mee.li", Role.MINISTRY, org="MEE"),
    DemoUser("ministry (NDRC 资环司)", "ndrc.zhang", Role.MINISTRY, org="NDRC"),
    DemoUser("province 江苏", "js.wang", Role.PROVINCE, province="320000"),
    DemoUser("province 浙江", "zj.chen", Role.PROVINCE, province="330000"),
    DemoUser("province 山东", "sd.liu", Role.PROVINCE, province="370000"),
    DemoUser("reviewer 1", "expert.1", Role.REVIEWER),
    DemoUser("reviewer 2", "expert.2", Role.REVIEWER),
    DemoUser("reviewer 3", "expert.3", Role.REVIEWER),
    DemoUser("auditor", "audit.zhou", Role.AUDITOR),
)

DemoUserId = Enum("DemoUserId", {user.sub: user.sub for user in DEMO_USERS}, type=str)  # type: ignore[misc]


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: DemoUserId = Field(description="One of the demo users / 演示用户之一", examples=["js.wang"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


def dev_token_router(issuer: TokenIssuer, users: Sequence[DemoUser] = DEMO_USERS) -> APIRouter:
    """`POST /dev/tokens`: a token for one of the fixed demo users, no password. Mounted only in the embedded
    default and tests (never by a service started on its own; see `distributed_identity_problems`)."""
    router = APIRouter(prefix="/dev", tags=["development 开发调试"])
    by_sub = {user.sub: user for user in users}

    @router.post("/tokens", summary="为演示用户签发开发令牌（仅嵌入式演示模式）")
    async def issue_dev_token(body: DevTokenRequest) -> TokenResponse:
        """Issues a token for one of the fixed demo users of the embedded default; nobody else."""
        user = by_sub[str(body.sub.value)]
        token = issuer.issue(user.sub, user.role, name=user.label, province=user.province, org=user.org)
        return TokenResponse(access_token=token, expires_in=issuer.ttl)

    return router


# --- distributed mode: refuse to start without proper verification -----------------------------------------

# Secrets that are, or were, in this repository (source, compose file, docs): they forge tokens for anyone.
KNOWN_SECRETS = frozenset(
    {
        DEV_JWT_SECRET,
        "change-me-to-a-long-random-secret-of-32-bytes-or-more",
    }
)
_PLACEHOLDER = re.compile(r"change[-_ ]?me|dev[-_ ]?only|insecure|example|secret-of-32|do-not-use", re.IGNORECASE)


def distributed_identity_problems(settings: ServiceSettings) -> list[str]:
    """Why a service may not start on its own (distributed mode) with these settings; empty when it may."""
    problems = []
    if settings.dev_tokens_enabled:
        problems.append("PILOT_DEV_TOKENS is for the embedded default and tests only: services never mint tokens")
    if settings.oidc_jwks_url:
        url = urlsplit(settings.oidc_jwks_url)
        local = url.hostname in {"localhost", "127.0.0.1", "::1"}
        if url.scheme != "https" and not (url.scheme == "http" and local):
            problems.append("PILOT_OIDC_JWKS_URL must be an https URL (http only on localhost)")
        if settings.jwt_issuer == DEV_ISSUER:
            problems.append("set PILOT_JWT_ISSUER to the identity provider's issuer (the iss of its tokens)")
    elif settings.uses_dev_secret:
        problems.append(
            "no token verification configured: set PILOT_OIDC_JWKS_URL (and PILOT_JWT_ISSUER, PILOT_JWT_AUDIENCE) "
            "to verify the identity provider's tokens"
        )
    else:
        secret = settings.jwt_secret
        if len(secret.encode()) < 32:
            problems.append("PILOT_JWT_SECRET is shorter than 32 bytes")
        if secret in KNOWN_SECRETS or _PLACEHOLDER.search(secret) or len(set(secret)) < 16:
            problems.append("PILOT_JWT_SECRET is a known, placeholder or low-variety value: anyone could forge tokens")
    return problems
