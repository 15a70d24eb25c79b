"""An organisation in the registry: an applicant (park management body, government, department), a member
enterprise, or another body. Application intake reads its kind, level and province for the APPLICANT_LEVEL,
SAME_ENTITY and PROVINCE_MATCH rules.

Administrative level: required for a government or government department; always PROVINCE for a provincial
department (filled in when left out); optional for a park management body; none for an enterprise or other
body. The division code (GB/T 2260, six digits) must lie in the organisation's provincial unit; left out, it
is the provincial code itself. Uniqueness of the credit code across organisations is the application
service's concern (it needs a read model).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from pilot_common.aggregate import AuditedAggregate
from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind
from pilot_registry.domain._checks import (
    UNCHANGED,
    Unchanged,
    check_credit_code,
    check_division,
    check_province,
    given,
    require_reason,
    require_text,
)
from pilot_registry.domain.errors import RegistryRuleViolation

_LEVEL_REQUIRED = frozenset({OrganisationKind.GOVERNMENT, OrganisationKind.GOVERNMENT_DEPARTMENT})
_LEVEL_NOT_APPLICABLE = frozenset({OrganisationKind.ENTERPRISE, OrganisationKind.OTHER})

_FIELDS = ("name", "credit_code", "kind", "administrative_level", "province_code", "division_code")


def _kind(value: OrganisationKind | str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError:
        raise RegistryRuleViolation(
            "UNKNOWN_ORGANISATION_KIND",
            f"未知机构类别“{value}”。",
            f"Unknown organisation kind {value!r}.",
            field="kind",
        ) from None


def _level(value: AdministrativeLevel | str | None) -> AdministrativeLevel | None:
    if value is None:
        return None
    try:
        return AdministrativeLevel(value)
    except ValueError:
        raise RegistryRuleViolation(
            "UNKNOWN_ADMINISTRATIVE_LEVEL",
            f"未知行政级别“{value}”。",
            f"Unknown administrative level {value!r}.",
            field="administrative_level",
        ) from None


def organisation_fields(
    *,
    name: str,
    credit_code: str,
    kind: OrganisationKind | str,
    administrative_level: AdministrativeLevel | str | None,
    province_code: str,
    division_code: str | None,
) -> dict[str, Any]:
    """Validated, normalised organisation fields as stored in events (enums as their string values)."""
    checked_name = require_text(name, "name", "机构名称", "The organisation's name")
    checked_code = check_credit_code(credit_code, "credit_code")
    checked_kind = _kind(kind)
    level = _level(administrative_level)
    if checked_kind is OrganisationKind.PROVINCIAL_DEPARTMENT:
        level = level or AdministrativeLevel.PROVINCE
        if level is not AdministrativeLevel.PROVINCE:
            raise RegistryRuleViolation(
                "ADMINISTRATIVE_LEVEL_MISMATCH",
                "省级政府组成部门的行政级别应为省级。",
                "A provincial government department is at PROVINCE level.",
                field="administrative_level",
            )
    elif checked_kind in _LEVEL_REQUIRED and level is None:
        raise RegistryRuleViolation(
            "ADMINISTRATIVE_LEVEL_REQUIRED",
            "政府及其组成部门须填写行政级别（县级、地市级或省级）。",
            "A government or government department needs its administrative level (COUNTY, PREFECTURE, PROVINCE).",
            field="administrative_level",
        )
    elif checked_kind in _LEVEL_NOT_APPLICABLE and level is not None:
        raise RegistryRuleViolation(
            "ADMINISTRATIVE_LEVEL_NOT_APPLICABLE",
            "企业及其他机构没有行政级别。",
            "An enterprise or other body has no administrative level.",
            field="administrative_level",
        )
    province = check_province(province_code, "province_code")
    division = check_division(division_code if division_code is not None else province, province, "division_code")
    return {
        "name": checked_name,
        "credit_code": checked_code,
        "kind": checked_kind.value,
        "administrative_level": level.value if level is not None else None,
        "province_code": province,
        "division_code": division,
    }


class Organisation(AuditedAggregate):
    """An organisation, identified in the real world by its unified social credit code.

    Create with :meth:`register`; the constructor only applies the ``Registered`` event.
    """

    @event("Registered")
    def __init__(
        self,
        name: str,
        credit_code: str,
        kind: str,
        administrative_level: str | None,
        province_code: str,
        division_code: str,
    ) -> None:
        self._name = name
        self._credit_code = credit_code
        self._kind = kind
        self._administrative_level = administrative_level
        self._province_code = province_code
        self._division_code = division_code
        self._active = True
        self._deactivation_reason: str | None = None

    @classmethod
    def register(
        cls,
        *,
        name: str,
        credit_code: str,
        kind: OrganisationKind | str,
        administrative_level: AdministrativeLevel | str | None = None,
        province_code: str,
        division_code: str | None = None,
    ) -> Organisation:
        fields = organisation_fields(
            name=name,
            credit_code=credit_code,
            kind=kind,
            administrative_level=administrative_level,
            province_code=province_code,
            division_code=division_code,
        )
        return cls(**fields)

    # --- reading -----------------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def credit_code(self) -> str:
        return self._credit_code

    @property
    def kind(self) -> OrganisationKind:
        return OrganisationKind(self._kind)

    @property
    def administrative_level(self) -> AdministrativeLevel | None:
        return AdministrativeLevel(self._administrative_level) if self._administrative_level else None

    @property
    def province_code(self) -> str:
        return self._province_code

    @property
    def division_code(self) -> str:
        return self._division_code

    @property
    def is_active(self) -> bool:
        return self._active

    @property
    def deactivation_reason(self) -> str | None:
        return self._deactivation_reason

    def _fields(self) -> dict[str, Any]:
        return {
            "name": self._name,
            "credit_code": self._credit_code,
            "kind": self._kind,
            "administrative_level": self._administrative_level,
            "province_code": self._province_code,
            "division_code": self._division_code,
        }

    # --- commands ----------------------------------------------------------------------------------------

    def amend(
        self,
        *,
        reason: str,
        name: str | Unchanged = UNCHANGED,
        credit_code: str | Unchanged = UNCHANGED,
        kind: OrganisationKind | str | Unchanged = UNCHANGED,
        administrative_level: AdministrativeLevel | str | Unchanged | None = UNCHANGED,
        province_code: str | Unchanged = UNCHANGED,
        division_code: str | Unchanged = UNCHANGED,
    ) -> None:
        """Change some fields (those not given keep their value); the result is validated as a whole.

        Changing the province without a new division code moves the division code to the new province's code.
        """
        self._check_active()
        checked_reason = require_reason(reason, "修改机构信息", "Amending an organisation")
        current = self._fields()
        new_province = given(province_code, self._province_code)
        default_division = (
            self._division_code if isinstance(province_code, Unchanged) or new_province == self._province_code else None
        )
        new = organisation_fields(
            name=given(name, self._name),
            credit_code=given(credit_code, self._credit_code),
            kind=given(kind, self._kind),
            administrative_level=given(administrative_level, self._administrative_level),
            province_code=new_province,
            division_code=given(division_code, default_division),
        )
        changes = {key: new[key] for key in _FIELDS if new[key] != current[key]}
        if not changes:
            raise RegistryRuleViolation("NO_CHANGE", "机构信息没有变化。", "Nothing about the organisation changes.")
        previous = {key: current[key] for key in changes}
        self._amended(changes=changes, previous=previous, reason=checked_reason)

    @event("Amended")
    def _amended(self, changes: dict[str, Any], previous: dict[str, Any], reason: str) -> None:
        for key, value in changes.items():
            setattr(self, f"_{key}", value)

    def deactivate(self, reason: str) -> None:
        """Take the organisation out of use (it stays in the registry and its history)."""
        self._check_active()
        checked_reason = require_reason(reason, "停用机构", "Deactivating an organisation")
        self._deactivated(reason=checked_reason)

    @event("Deactivated")
    def _deactivated(self, reason: str) -> None:
        self._active = False
        self._deactivation_reason = reason

    def _check_active(self) -> None:
        if not self._active:
            raise RegistryRuleViolation(
                "ORGANISATION_INACTIVE",
                "该机构已停用。",
                "The organisation has been deactivated.",
            )
