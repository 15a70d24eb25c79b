"""The reference data files (``data/*.json``, shipped in the package) read into their typed entries.

Each file lists its sources first (the seeds in /work/shared/seeds by number, national standards by name) and
then its collections; pydantic validates every entry against its dataclass as the file loads (a missing or
unknown field, a wrong type, an unknown enum value refuses the import), and each module checks what a type
cannot say (codes well formed, references between collections resolved) before anything uses the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class DataSource:
    """Where the entries of a data file come from."""

    title: str  # a seed ("seed 003 (环办科财函〔2023〕79号)"), a national standard ("GB/T 2260 …"), a document
    used_for: str  # which entries or fields it supplies


class DataFile(BaseModel):
    """A data file's shape: its sources, then the collections a subclass names."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sources: tuple[DataSource, ...] = Field(min_length=1)


F = TypeVar("F", bound=DataFile)


def load(file_name: str, shape: type[F]) -> F:
    """``data/<file_name>`` validated as ``shape``; raises (pydantic's ValidationError) on anything malformed."""
    text = resources.files(__package__).joinpath("data", file_name).read_text(encoding="utf-8")
    return shape.model_validate_json(text)
