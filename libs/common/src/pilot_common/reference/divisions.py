"""Provincial-level units (省级单位) with their GB/T 2260 administrative-division codes.

The programme is addressed to the 31 provinces, autonomous regions and municipalities plus the Xinjiang
Production and Construction Corps (新疆生产建设兵团), 32 units in all. GB/T 2260 itself has no code for the
Corps; national reporting systems use 660000 for it, and so do we.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
from ._data import DataFile, load
from ._version import REFERENCE_DATA_VERSION

XPCC_CODE = "660000"
"""新疆生产建设兵团 (not in GB/T 2260; the code national systems use)."""

_DIVISION_CODE = re.compile(r"\d{6}")


class ProvincialKind(StrEnum):
    MUNICIPALITY = "municipality"  # 直辖市
    PROVINCE = "province"  # 省
    AUTONOMOUS_REGION = "autonomous_region"  # 自治区
    CORPS = "corps"  # 新疆生产建设兵团


class UnknownDivisionError(ValueError):
    """A division code that is malformed or belongs to none of the 32 provincial units."""


@dataclass(frozen=True)
class ProvincialUnit:
    code: str  # six digits, e.g. "130000"
    name: str  # full Chinese name, e.g. "河北省"
    short_name: str  # e.g. "河北", "新疆兵团"
    english_name: str
    kind: ProvincialKind

    @property
    def prefix(self) -> str:
        """The two digits every division code inside this unit starts with."""
        return self.code[:2]


class _DivisionsFile(DataFile):
    provincial_units: tuple[ProvincialUnit, ...]


_FILE = load("divisions.json", _DivisionsFile)
SOURCES = _FILE.sources
PROVINCIAL_UNITS: RefCollection[ProvincialUnit] = RefCollection.of(
    "provincial_units", REFERENCE_DATA_VERSION, _FILE.provincial_units
)


def _check_units(units: RefCollection[ProvincialUnit]) -> None:
    """32 units, each a six-digit provincial code (two digits + 0000), one per prefix, the Corps among them."""
    bad = [u.code for u in units if _DIVISION_CODE.fullmatch(u.code) is None or not u.code.endswith("0000")]
    if bad or len(units) != 32 or len({u.prefix for u in units}) != 32 or XPCC_CODE not in units:
        raise ValueError(f"provincial_units: expected the 32 units with provincial codes; malformed {bad}")


_check_units(PROVINCIAL_UNITS)
_BY_PREFIX = {unit.prefix: unit for unit in PROVINCIAL_UNITS}


def is_division_code(code: str) -> bool:
    """Six ASCII digits (the shape of a GB/T 2260 code); says nothing about whether the code exists."""
    return _DIVISION_CODE.fullmatch(code) is not None


def provincial_unit(code: str) -> ProvincialUnit | None:
    """The provincial unit with exactly this six-digit code, if any."""
    return PROVINCIAL_UNITS.get(code)


def provincial_unit_of(division_code: str) -> ProvincialUnit:
    """The provincial unit a six-digit division code (province, prefecture or county) lies in.

    The first two digits decide: 130102 → 河北省 (130000); 66xxxx → 新疆生产建设兵团 (660000).
    Raises :class:`UnknownDivisionError` for a malformed code or one outside the 32 units (e.g. 710000).

    Note: the Corps' own cities (石河子 659001 etc.) carry Xinjiang codes (65…), so they map to 650000 here;
    an organisation known to belong to the Corps should record 660000 explicitly.
    """
    code = division_code.strip()
    if not is_division_code(code):
        raise UnknownDivisionError(f"not a six-digit division code: {division_code!r}")
    unit = _BY_PREFIX.get(code[:2])
    if unit is None:
        raise UnknownDivisionError(f"division code {code} lies in none of the 32 provincial units")
    return unit


def province_of(division_code: str) -> str:
    """The six-digit code of the provincial unit a division code lies in (first two digits + "0000")."""
    return provincial_unit_of(division_code).code


XPCC_DIVISION_PREFIXES = ("66", "659")
"""Division codes that belong to 新疆生产建设兵团: its own 66xxxx codes and the Corps' cities, which GB/T 2260
lists under Xinjiang as 自治区直辖县级行政区划 (659001 石河子市 …)."""


def division_in_unit(division_code: str, unit_code: str) -> bool:
    """Whether a six-digit division code lies in a provincial unit: the one rule every service uses.

    The first two digits decide; for 新疆生产建设兵团 (660000) codes starting 66 or 659 count (so a Corps city
    such as 659001 lies both in 新疆维吾尔自治区 and in the Corps). Malformed codes lie nowhere.
    """
    code = division_code.strip()
    if not is_division_code(code) or provincial_unit(unit_code) is None:
        return False
    if unit_code == XPCC_CODE:
        return code.startswith(XPCC_DIVISION_PREFIXES)
    return code[:2] == unit_code[:2]


def prefecture_of(division_code: str) -> str:
    """The prefecture-level code of a division code: its first four digits + "00" (130102 → 130100).

    For a municipality's districts this is the 市辖区 code (110105 → 110100), not a city of its own.
    """
    code = division_code.strip()
    if not is_division_code(code):
        raise UnknownDivisionError(f"not a six-digit division code: {division_code!r}")
    return code[:4] + "00"
