"""What earlier batches of the pilot programme covered, for the PRIORITY rule (notice 003 四(一)).

Batch 2 gives priority to key industries and park types that batch 1 (环办科财函〔2022〕476号) did not
cover. Public facts about batch 1: 56 projects were approved, 40 of them industrial parks (5 in Jiangsu);
44 passed the final assessment (published 2024-08). The full annex of 476号 could not be obtained from public
sources while this data was written, so the coverage below is split into

* ``confirmed`` items, backed by named batch-1 projects in public reports (:data:`BATCH_1_EXAMPLES`), and
* ``assumed`` items, a **plausible, provisional** reading of what a 56-project batch with 40 parks covered.

The assumed items are PROVISIONAL: plausible for a first, park-heavy batch, not established from the official
list. The whole record (``data/coverage.json``) is marked ``provisional``; the ministry should replace it with the
real list as programme data (bumping :data:`REFERENCE_DATA_VERSION`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._collection import RefCollection
from ._data import DataFile, load
from ._version import REFERENCE_DATA_VERSION


@dataclass(frozen=True)
class CoveredProject:
    """A batch project named in a public report, evidence for a confirmed coverage item."""

    name: str
    province: str  # provincial-unit code
    park_type: str | None  # ParkType code
    industries: tuple[str, ...]  # KeyIndustry codes
    source: str


@dataclass(frozen=True)
class BatchCoverage:
    code: str  # e.g. "BATCH_1"
    batch: int
    document: str  # the approval notice
    approved_projects: int
    park_projects: int
    passed_assessment: int | None
    confirmed_industries: tuple[str, ...]
    assumed_industries: tuple[str, ...]
    confirmed_park_types: tuple[str, ...]
    assumed_park_types: tuple[str, ...]
    examples: tuple[CoveredProject, ...]
    provisional: bool
    note: str

    @property
    def industries(self) -> tuple[str, ...]:
        """Key-industry codes treated as covered (confirmed first, then assumed)."""
        return self.confirmed_industries + self.assumed_industries

    @property
    def park_types(self) -> tuple[str, ...]:
        """Park-type codes treated as covered (confirmed first, then assumed)."""
        return self.confirmed_park_types + self.assumed_park_types

    def covers_industry(self, industry_code: str) -> bool:
        return industry_code in self.industries

    def covers_park_type(self, park_type_code: str) -> bool:
        return park_type_code in self.park_types


class _CoverageFile(DataFile):
    batch_coverage: tuple[BatchCoverage, ...]


_FILE = load("coverage.json", _CoverageFile)
SOURCES = _FILE.sources
BATCH_COVERAGE: RefCollection[BatchCoverage] = RefCollection.of(
    "batch_coverage", REFERENCE_DATA_VERSION, _FILE.batch_coverage
)
BATCH_1_EXAMPLES: tuple[CoveredProject, ...] = BATCH_COVERAGE["BATCH_1"].examples
