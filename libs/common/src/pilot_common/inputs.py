"""Bounded input at the edge: the base of every request body, file names and download headers.

Every request body model derives from `EdgeModel`: unknown fields are refused, every string and list has a
ceiling (a field may set a lower one), and no string may carry control, bidirectional-override or zero-width
characters — names end up in e-mail subject lines, documents and exports, where such characters hide or reorder
text. `PatchModel` adds the rule for partial updates: a field left out is unchanged, and `null` is refused
unless the field is one that may be cleared.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from urllib.parse import quote

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

MAX_STRING = 2_000  # default ceiling of any string field; longer texts say so on the field
MAX_TEXT = 20_000  # a free-text section (plan, foundation)
MAX_NAME = 200  # a name or title
MAX_ITEMS = 200  # default ceiling of any list or mapping
MAX_AMOUNT_CNY = Decimal("1000000000000")  # 1 万亿元: far above any pilot's funding, far below float trouble

# C0/C1 controls other than tab and newlines, bidi embeddings/overrides/isolates, zero-width characters.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_LINE_BREAKS = re.compile("[\t\r\n]")

# A money amount in yuan: at most two decimal places, not negative, bounded; "1e400" and NaN are refused.
AmountCNY = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AMOUNT_CNY, max_digits=15, decimal_places=2, allow_inf_nan=False, examples=["3000000.00"]),
]


def _one_line(value: str) -> str:
    if _LINE_BREAKS.search(value):
        raise PydanticCustomError("unsafe_characters", "must be one line: no tabs or line breaks")
    return value


# A one-line name (project, organisation, funder, title): no line breaks either.
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_one_line)]


def unsafe_characters(value: str, *, single_line: bool = False) -> bool:
    return bool(_UNSAFE.search(value) or (single_line and _LINE_BREAKS.search(value)))


def _check_strings(value: Any, single_line: bool) -> None:
    if isinstance(value, str):
        if unsafe_characters(value, single_line=single_line):
            raise PydanticCustomError(
                "unsafe_characters",
                "must not contain control, bidirectional-override or zero-width characters"
                + (" or line breaks" if single_line else ""),
            )
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_strings(item, single_line)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, True)
            _check_strings(item, single_line)
    elif isinstance(value, BaseModel):
        pass  # a nested EdgeModel checks its own fields


class EdgeModel(BaseModel):
    """Base of every request body: no unknown fields, bounded strings and lists, no hidden characters."""

    # Enum values reach the application as plain strings, as before the fields were typed as enums.
    model_config = ConfigDict(extra="forbid", str_max_length=MAX_STRING, use_enum_values=True)

    @field_validator("*", mode="before")
    @classmethod
    def _bounded_collections(cls, value: Any, info: ValidationInfo) -> Any:
        # Before validation, so that 100 000 list items are refused without validating each one.
        if value is None and info.field_name in cls._null_refused():
            raise PydanticCustomError("null_not_allowed", "must not be null; leave the field out to keep it")
        if isinstance(value, list | dict) and len(value) > MAX_ITEMS:
            # A field may declare a higher ceiling of its own (pydantic then checks it after this).
            field = cls.model_fields.get(info.field_name or "")
            limit = max(_declared_max_length(field.metadata if field else []) or 0, MAX_ITEMS)
            if len(value) > limit:
                raise PydanticCustomError("too_long", "at most {max_length} items", {"max_length": limit})
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _safe_strings(cls, value: Any) -> Any:
        _check_strings(value, single_line=False)
        return value

    @classmethod
    def _null_refused(cls) -> frozenset[str]:
        return frozenset()


def _declared_max_length(metadata: list[Any]) -> int | None:
    for item in metadata:
        limit = getattr(item, "max_length", None)
        if isinstance(limit, int):
            return limit
    return None


class PatchModel(EdgeModel):
    """A partial update: omitted fields stay as they are; `null` only for the fields listed in `clearable`."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def _null_refused(cls) -> frozenset[str]:
        return frozenset(cls.model_fields) - cls.clearable


# --- files ------------------------------------------------------------------------------------------------


def safe_file_name(name: str | None, fallback: str = "upload") -> str:
    """An uploaded file's name as it may be stored and shown: no folders, quotes, controls; bounded."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFC", _UNSAFE.sub("", base))
    base = re.sub(r'[\x00-\x1f"<>:|?*;]', "_", base).strip(" .")
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:MAX_NAME]
    return base or fallback


def content_disposition(file_name: str) -> str:
    """`Content-Disposition: attachment` per RFC 6266/5987: an ASCII fallback and the UTF-8 name encoded."""
    name = safe_file_name(file_name, "download")
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    ascii_stem = re.sub(r"[^A-Za-z0-9._() -]+", "_", stem).strip("_ ") or "download"
    ascii_ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    ascii_name = ascii_stem + ("." + ascii_ext if dot and ascii_ext else "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
