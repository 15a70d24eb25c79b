"""What every registry route needs: the application, and who may see what (in one place)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pilot_common.auth import Principal, authenticated, require_roles
from pilot_common.context import Role
from pilot_common.problems import forbidden_province
from pilot_registry.application import PilotRegistry


def registry(request: Request) -> PilotRegistry:
    app: PilotRegistry = request.app.state.registry
    return app


Registry = Annotated[PilotRegistry, Depends(registry)]
Reader = Annotated[Principal, Depends(authenticated)]
# Ministry staff keep the registry; everyone else reads (auditors read everything and change nothing).
Ministry = Annotated[Principal, Depends(require_roles(Role.MINISTRY))]
RegistryReader = Annotated[Principal, Depends(require_roles(Role.MINISTRY, Role.AUDITOR, Role.PROVINCE, Role.SERVICE))]


def province_scope(principal: Principal) -> str | None:
    """The one province a user is limited to (province users), or None for all."""
    return principal.province if principal.role is Role.PROVINCE else None


def ensure_visible(principal: Principal, province_code: str) -> None:
    scope = province_scope(principal)
    if scope is not None and scope != province_code:
        raise forbidden_province(f"this account sees only province {scope}")
