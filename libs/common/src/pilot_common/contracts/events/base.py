"""The base of every published integration event: a pydantic model with its type name and schema version.

A model is the public contract of one event type on `<service>.events`. It is additive-compatible: a consumer
ignores fields it does not know, so adding an optional field keeps the version. A change that an older consumer
would misread (a rename, a removed or retyped field) bumps `schema_version` and registers an upcaster from the
previous version, so that messages already on the topic still parse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from pilot_common.contracts.errors import ContractViolation

#: Turns the payload of version n into the payload of version n + 1.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class IntegrationEvent(BaseModel):
    """One published event type. Subclasses set `event_type`, `schema_version` and, from v2 on, `upcasters`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: `<service>.<Aggregate>.<Event>`, the envelope's `type`.
    event_type: ClassVar[str]
    #: The current version of this payload, the envelope's `schemaversion`.
    schema_version: ClassVar[int] = 1
    #: `{n: upcaster from vn to vn+1}` for every n below `schema_version`.
    upcasters: ClassVar[Mapping[int, Upcaster]] = {}

    @classmethod
    def parse(cls, data: Mapping[str, Any], version: int) -> Self:
        """The payload of a message of this type and `version`, upcast to the current version and validated."""
        if version > cls.schema_version:
            # Producers are upgraded after their consumers: a newer version means this consumer is out of date.
            raise ContractViolation(cls.event_type, version, f"this consumer knows versions up to {cls.schema_version}")
        if version < 1:
            raise ContractViolation(cls.event_type, version, "schema versions start at 1")
        payload = dict(data)
        for step in range(version, cls.schema_version):
            upcaster = cls.upcasters.get(step)
            if upcaster is None:
                raise ContractViolation(cls.event_type, version, f"no upcaster from v{step} to v{step + 1}")
            try:
                payload = upcaster(payload)
            except (KeyError, TypeError, ValueError) as e:
                raise ContractViolation(cls.event_type, version, f"cannot upcast v{step}: {e!r}") from e
        try:
            return cls.model_validate(payload)
        except ValidationError as e:
            raise ContractViolation(cls.event_type, version, str(e)) from e

    def payload(self) -> dict[str, Any]:
        """The message's `data`: this model as JSON values."""
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    @classmethod
    def service(cls) -> str:
        return cls.event_type.split(".", 1)[0]
