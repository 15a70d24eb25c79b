"""What earlier batches of the pilot programme covered, for the PRIORITY rule (notice 003 四(一)).

Batch 2 gives priority to key industries and park types that batch 1 (环办科财函〔2022〕476号) did not
cover. Public facts about batch 1: 56 projects were approved, 40 of them industrial parks (5 in Jiangsu);
44 passed the final assessment (published 2024-08). The full annex of 476号 could not be obtained from public
sources while this data was written, so the coverage below is split into

* ``confirmed`` items, backed by named batch-1 projects in public reports (:data:`BATCH_1_EXAMPLES`), and
* ``assumed`` items, a **plausible, provisional** reading of what a 56-project batch with 40 parks covered.

The whole record is marked ``provisional``; the ministry should replace it with the real list as programme
data (bumping :data:`REFERENCE_DATA_VERSION`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._collection import RefCollection
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


BATCH_1_EXAMPLES: tuple[CoveredProject, ...] = (
    CoveredProject(
        "大连松木岛化工产业开发区清洁生产审核创新试点项目",
        "210000",
        "CHEMICAL_PARK",
        ("PETROCHEMICAL_CHEMICAL",),
        "园区公告：列入第一批清洁生产审核创新试点并于2024年通过评估（东北唯一园区试点）",
    ),
    CoveredProject(
        "连云港经济技术开发区清洁生产审核创新试点项目",
        "320000",
        "ECONOMIC_DEVELOPMENT_ZONE",
        ("CHEMICAL_API", "NONFERROUS"),
        "开发区公告：列入第一批56个试点（其中园区40个，江苏5个）；区内强审企业以化学原料药、有色金属为主",
    ),
)

BATCH_COVERAGE: RefCollection[BatchCoverage] = RefCollection.of(
    "batch_coverage",
    REFERENCE_DATA_VERSION,
    (
        BatchCoverage(
            code="BATCH_1",
            batch=1,
            document="环办科财函〔2022〕476号",
            approved_projects=56,
            park_projects=40,
            passed_assessment=44,
            confirmed_industries=("PETROCHEMICAL_CHEMICAL", "CHEMICAL_API", "NONFERROUS"),
            # PROVISIONAL: plausible for a first, park-heavy batch; not established from the official list.
            assumed_industries=("STEEL", "BUILDING_MATERIALS", "ELECTROPLATING", "DYEING_PRINTING"),
            confirmed_park_types=("CHEMICAL_PARK", "ECONOMIC_DEVELOPMENT_ZONE"),
            # PROVISIONAL: as above.
            assumed_park_types=("HIGH_TECH_ZONE", "COMPREHENSIVE_PARK"),
            examples=BATCH_1_EXAMPLES,
            provisional=True,
            note=(
                "第一批名单附件未能从公开渠道取得；“confirmed”项有公开报道的项目为据，“assumed”项为推定，"
                "须由生态环境部按476号文附件核定后更新。"
            ),
        ),
    ),
)
