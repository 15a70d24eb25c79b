"""Versioned reference data the registry serves and the rules use.

The data lives in ``data/*.json`` (package data, each file naming its sources: seeds 003 and 004, GB/T 2260,
GB/T 4754-2017 and the plans that define the key areas' extents), read and validated once at import
(:mod:`._data`; cross-references checked below); after that everything is immutable. One :class:`ReferenceData` object,
:data:`REFERENCE_DATA`, bundles the collections; each collection keeps its entries in a stable published
order, is looked up by code and carries the :data:`REFERENCE_DATA_VERSION` it belongs to.

* provincial units (31 + 新疆生产建设兵团) with GB/T 2260 codes — :mod:`.divisions`
* the 13 key industries mapped to GB/T 4754-2017 nationally, and provincial mandatory-audit lists (Shanxi's,
  seed 004) as a separate layer — :mod:`.industries`
* key air regions, river basins, pollutants — :mod:`.regions`
* pilot types and park types — :mod:`.programme`
* earlier batches' coverage (batch 1 is provisional) — :mod:`.coverage`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from . import coverage, divisions, industries, programme, regions
from ._collection import RefCollection
from ._data import DataSource
from ._version import REFERENCE_DATA_VERSION
from .coverage import BATCH_COVERAGE, BatchCoverage, CoveredProject
from .divisions import (
    PROVINCIAL_UNITS,
    XPCC_CODE,
    XPCC_DIVISION_PREFIXES,
    ProvincialKind,
    ProvincialUnit,
    UnknownDivisionError,
    division_in_unit,
    is_division_code,
    prefecture_of,
    province_of,
    provincial_unit,
    provincial_unit_of,
)
from .industries import (
    INDUSTRIAL_COATING_RULE,
    KEY_INDUSTRIES,
    PROVINCIAL_AUDIT_LISTS,
    SHANXI_MANDATORY_AUDIT,
    AuditSizeScope,
    DivisionRangeRule,
    GbtDivision,
    IndustryMapping,
    InvalidIndustryCodeError,
    KeyIndustry,
    KeyIndustryOverrides,
    ProvincialAuditClass,
    ProvincialAuditList,
    is_key_industry_code,
    is_valid_gbt4754_code,
    key_industries_containing,
    key_industries_of,
    key_industry_of,
    mapping_codes,
    normalise_gbt4754_code,
    provincial_audit_class,
)
from .programme import PARK_TYPES, PILOT_TYPES, ParkType, PilotType, pilot_type_by_number
from .regions import (
    AIR_REGIONS,
    KEY_AREAS,
    POLLUTANTS,
    RIVER_BASINS,
    AreaKind,
    City,
    KeyArea,
    Medium,
    Pollutant,
    areas_containing,
    areas_touching_province,
)

DATA_SOURCES: Mapping[str, tuple[DataSource, ...]] = MappingProxyType(
    {
        "divisions.json": divisions.SOURCES,
        "industries.json": industries.SOURCES,
        "regions.json": regions.SOURCES,
        "programme.json": programme.SOURCES,
        "coverage.json": coverage.SOURCES,
    }
)
"""Each data file's sources, as the file lists them."""


def _check_references() -> None:
    """What one file names in another exists: areas' provinces, focus industries and pollutants, and the cities
    inside those provinces; the coverage's industries, park types and provinces."""
    missing: list[str] = []
    for area in KEY_AREAS:
        missing += [f"{area.code}: province {p}" for p in area.provinces if p not in PROVINCIAL_UNITS]
        missing += [f"{area.code}: industry {i}" for i in area.focus_industries if i not in KEY_INDUSTRIES]
        missing += [f"{area.code}: pollutant {p}" for p in area.focus_pollutants if p not in POLLUTANTS]
        missing += [
            f"{area.code}: city {c.code}"
            for c in area.cities
            if not is_division_code(c.code) or province_of(c.code) not in area.provinces
        ]
    for batch in BATCH_COVERAGE:
        missing += [f"{batch.code}: industry {i}" for i in batch.industries if i not in KEY_INDUSTRIES]
        missing += [f"{batch.code}: park type {p}" for p in batch.park_types if p not in PARK_TYPES]
        unknown = [e.province for e in batch.examples if e.province not in PROVINCIAL_UNITS]
        missing += [f"{batch.code}: province {p}" for p in unknown]
    if missing:
        raise ValueError(f"reference data names what it does not hold: {missing}")


_check_references()


@dataclass(frozen=True)
class ReferenceData:
    """All reference collections of one version, with the look-ups the services need."""

    version: str
    provincial_units: RefCollection[ProvincialUnit]
    key_industries: RefCollection[KeyIndustry]
    provincial_audit_lists: RefCollection[ProvincialAuditList]
    air_regions: RefCollection[KeyArea]
    river_basins: RefCollection[KeyArea]
    key_areas: RefCollection[KeyArea]
    pollutants: RefCollection[Pollutant]
    pilot_types: RefCollection[PilotType]
    park_types: RefCollection[ParkType]
    batch_coverage: RefCollection[BatchCoverage]

    def province_of(self, division_code: str) -> str:
        return province_of(division_code)

    def provincial_unit_of(self, division_code: str) -> ProvincialUnit:
        return provincial_unit_of(division_code)

    def key_industry_of(self, gbt4754_code: str, *, has_coating_process: bool = False) -> KeyIndustry | None:
        return key_industry_of(gbt4754_code, has_coating_process=has_coating_process)

    def is_key_industry_code(self, gbt4754_code: str, *, has_coating_process: bool = False) -> bool:
        return is_key_industry_code(gbt4754_code, has_coating_process=has_coating_process)

    def areas_containing(self, division_code: str) -> tuple[KeyArea, ...]:
        return areas_containing(division_code)

    def covered_industries(self, before_batch: int) -> frozenset[str]:
        """Key-industry codes covered by any batch earlier than ``before_batch``."""
        return frozenset(code for cov in self.batch_coverage if cov.batch < before_batch for code in cov.industries)

    def covered_park_types(self, before_batch: int) -> frozenset[str]:
        """Park-type codes covered by any batch earlier than ``before_batch``."""
        return frozenset(code for cov in self.batch_coverage if cov.batch < before_batch for code in cov.park_types)


REFERENCE_DATA = ReferenceData(
    version=REFERENCE_DATA_VERSION,
    provincial_units=PROVINCIAL_UNITS,
    key_industries=KEY_INDUSTRIES,
    provincial_audit_lists=PROVINCIAL_AUDIT_LISTS,
    air_regions=AIR_REGIONS,
    river_basins=RIVER_BASINS,
    key_areas=KEY_AREAS,
    pollutants=POLLUTANTS,
    pilot_types=PILOT_TYPES,
    park_types=PARK_TYPES,
    batch_coverage=BATCH_COVERAGE,
)


def reference_data() -> ReferenceData:
    """The current reference data."""
    return REFERENCE_DATA


__all__ = [
    "AIR_REGIONS",
    "BATCH_COVERAGE",
    "DATA_SOURCES",
    "INDUSTRIAL_COATING_RULE",
    "KEY_AREAS",
    "KEY_INDUSTRIES",
    "PARK_TYPES",
    "PILOT_TYPES",
    "POLLUTANTS",
    "PROVINCIAL_AUDIT_LISTS",
    "PROVINCIAL_UNITS",
    "REFERENCE_DATA",
    "REFERENCE_DATA_VERSION",
    "RIVER_BASINS",
    "SHANXI_MANDATORY_AUDIT",
    "XPCC_CODE",
    "XPCC_DIVISION_PREFIXES",
    "AreaKind",
    "AuditSizeScope",
    "BatchCoverage",
    "City",
    "CoveredProject",
    "DataSource",
    "DivisionRangeRule",
    "GbtDivision",
    "IndustryMapping",
    "InvalidIndustryCodeError",
    "KeyArea",
    "KeyIndustry",
    "KeyIndustryOverrides",
    "Medium",
    "ParkType",
    "PilotType",
    "Pollutant",
    "ProvincialAuditClass",
    "ProvincialAuditList",
    "ProvincialKind",
    "ProvincialUnit",
    "RefCollection",
    "ReferenceData",
    "UnknownDivisionError",
    "areas_containing",
    "areas_touching_province",
    "division_in_unit",
    "is_division_code",
    "is_key_industry_code",
    "is_valid_gbt4754_code",
    "key_industries_containing",
    "key_industries_of",
    "key_industry_of",
    "mapping_codes",
    "normalise_gbt4754_code",
    "pilot_type_by_number",
    "prefecture_of",
    "province_of",
    "provincial_audit_class",
    "provincial_unit",
    "provincial_unit_of",
    "reference_data",
]
