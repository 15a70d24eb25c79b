"""The AsyncAPI document in docs/ is what the models say today (CI fails when someone forgets to regenerate it)."""

from __future__ import annotations

from pathlib import Path

import yaml

from pilot_common.contracts.asyncapi import render
from pilot_common.contracts.catalogue import PUBLISHED

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"


def test_the_checked_in_document_equals_a_fresh_generation() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == render(), (
        "docs/asyncapi.yaml is stale: run `uv run python -m pilot_common.contracts.asyncapi > docs/asyncapi.yaml`"
    )


def test_the_document_has_every_topic_its_dead_letter_topic_and_every_published_model() -> None:
    document = yaml.safe_load(CHECKED_IN.read_text(encoding="utf-8"))
    assert document["asyncapi"].startswith("3.")
    addresses = {channel["address"] for channel in document["channels"].values()}
    topics = {f"{service}.events" for service in PUBLISHED}
    assert addresses == topics | {f"{t}.dlq" for t in topics}
    messages = document["components"]["messages"]
    published = {(m.event_type, m.schema_version) for models in PUBLISHED.values() for m in models}
    assert {(m["name"], m["x-schema-version"]) for m in messages.values()} == published
    schemas = document["components"]["schemas"]
    assert "scores" not in schemas["ScoreSheetOpened"]["properties"]
    assert "province_code" in schemas["ApprovedProject"]["properties"]
