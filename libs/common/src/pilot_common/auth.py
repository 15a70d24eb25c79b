"""Bearer JWT (HS256) authentication, role guards and the development token endpoint.

Tokens carry who the user is and the one thing the services scope by: the role, and for province users the
GB/T 2260 code of their province. The request middleware in `web.py` verifies the token once per request and
puts the actor into the call context *around* the whole request, so that the context is the same in `async def`
endpoints, plain `def` endpoints (run in a worker thread with a copy of the context) and the error handlers.
The dependencies here only read what the middleware found.
"""

import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import jwt
from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, model_validator

from pilot_common.context import Actor, Role
from pilot_common.problems import ProblemError, forbidden_province, forbidden_role, unauthorized
from pilot_common.settings import ServiceSettings

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
    def from_settings(cls, settings: ServiceSettings) -> "TokenIssuer":
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
    def __init__(self, secret: str, issuer: str, audience: str, *, leeway: float = 30.0) -> None:
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway  # tolerated clock skew between the issuer and the services

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "TokenVerifier":
        return cls(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; otherwise a 401 ProblemError TOKEN_EXPIRED or TOKEN_INVALID."""
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
            raise unauthorized("TOKEN_INVALID", f"the token was rejected: {exc}") from None
        try:
            role = Role(claims["role"])
        except ValueError:
            raise unauthorized("TOKEN_INVALID", f"unknown role {claims['role']!r}") from None
        optional = {key: claims.get(key) for key in ("name", "province", "org")}
        if any(value is not None and not isinstance(value, str) for value in optional.values()):
            raise unauthorized("TOKEN_INVALID", "name, province and org must be strings")
        problem = _claims_problem(role, optional["province"])
        if problem:
            raise unauthorized("TOKEN_INVALID", problem)
        return Principal(
            user_id=claims["sub"],
            role=role,
            name=optional["name"],
            province=optional["province"],
            organisation=optional["org"],
        )

    def verify_authorization(self, authorization: str | None) -> Principal:
        """Verify an `Authorization` header value; a missing or non-bearer one is UNAUTHENTICATED."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("UNAUTHENTICATED", "send 'Authorization: Bearer <token>'")
        return self.verify(token.strip())


def authenticate(
    verifier: TokenVerifier | None, authorization: str | None
) -> tuple[Principal | None, ProblemError | None]:
    """What the middleware records per request: the principal, or why there is none (never raises)."""
    if verifier is None:
        return None, unauthorized("UNAUTHENTICATED", "this service accepts no tokens")
    try:
        return verifier.verify_authorization(authorization), None
    except ProblemError as problem:
        return None, problem


# Only for the OpenAPI security scheme (the "Authorize" button); the middleware does the real parsing.
_bearer = HTTPBearer(auto_error=False, bearerFormat="JWT", description="Bearer JWT (HS256)")


async def authenticated(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """Dependency: the verified caller, or 401. The call context was already set by the middleware."""
    state = request.state
    if not hasattr(state, "principal"):
        # Without the middleware the actor would be missing from every recorded event: fail loudly.
        raise RuntimeError("authenticated needs the request middleware; build the app with create_service_app")
    principal: Principal | None = state.principal
    if principal is None:
        problem: ProblemError | None = getattr(state, "auth_problem", None)
        raise problem or unauthorized()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require_roles(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """Dependency factory: `Depends(require_roles(Role.MINISTRY))` lets only those roles through (else 403)."""
    allowed = frozenset(roles)

    async def guard(principal: CurrentPrincipal) -> Principal:
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


class DevTokenRequest(BaseModel):
    sub: str = Field(min_length=1, examples=["prov-370000-a"])
    role: Role
    name: str | None = Field(default=None, examples=["山东省生态环境厅 张三"])
    province: str | None = Field(default=None, pattern=r"^\d{6}$", examples=["370000"])
    org: str | None = None

    @model_validator(mode="after")
    def _province_for_province_users(self) -> "DevTokenRequest":
        problem = _claims_problem(self.role, self.province)
        if problem:
            raise ValueError(problem)
        return self


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


def dev_token_router(issuer: TokenIssuer) -> APIRouter:
    """`POST /dev/tokens`: a token for anyone, no password. Mount only when `dev_tokens_enabled`."""
    router = APIRouter(prefix="/dev", tags=["development"])

    @router.post("/tokens", summary="Issue a development token (development only)")
    async def issue_dev_token(body: DevTokenRequest) -> TokenResponse:
        token = issuer.issue(body.sub, body.role, name=body.name, province=body.province, org=body.org)
        return TokenResponse(access_token=token, expires_in=issuer.ttl)

    return router
