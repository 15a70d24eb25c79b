"""An immutable, ordered collection of reference entries, looked up by their code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar


class HasCode(Protocol):
    @property
    def code(self) -> str: ...


T = TypeVar("T", bound=HasCode)


@dataclass(frozen=True)
class RefCollection(Generic[T]):
    """Entries in a stable (published) order, each found by its code; nothing can be changed.

    ``version`` is the reference-data version the collection belongs to, so that a verdict or a read
    model can record which edition of the reference data it used.
    """

    name: str
    version: str
    entries: tuple[T, ...]
    _by_code: Mapping[str, T] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, T] = {}
        for entry in self.entries:
            if entry.code in by_code:
                raise ValueError(f"{self.name}: duplicate code {entry.code!r}")
            by_code[entry.code] = entry
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))

    @classmethod
    def of(cls, name: str, version: str, entries: Iterable[T]) -> RefCollection[T]:
        return cls(name=name, version=version, entries=tuple(entries))

    def __iter__(self) -> Iterator[T]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __getitem__(self, code: str) -> T:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"{self.name}: unknown code {code!r}") from None

    def get(self, code: str) -> T | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(entry.code for entry in self.entries)
