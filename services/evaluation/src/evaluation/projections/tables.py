"""The evaluation service's tables.

``metadata`` holds the read models of the service's own aggregates (reviewers, score sheets, selections): rows
written from the aggregates' state in the same transaction as their events, and rebuilt from the event store by
the auditors' read-model check. ``upstream_copy`` is the service's copy of what other services published
(programmes and their rules, applications) and the application scores derived from both; those are written by the
consumers and by the score refresh, in the same transaction as what caused them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

reviewers = Table(
    "ev_reviewers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("organisation_id", String(100), nullable=False, index=True),
    Column("province", String(6), nullable=False, index=True),
    Column("expertise", JSON, nullable=False),
    Column("available", Boolean, nullable=False),
    # The `sub` of the reviewer's bearer tokens: one reviewer per login.
    Column("user_id", String(100), unique=True),
    Column("version", Integer, nullable=False),
)

score_sheets = Table(
    "ev_score_sheets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reviewer_id", String(36), nullable=False, index=True),
    Column("application_id", String(36), nullable=False, index=True),
    Column("programme_id", String(36), index=True),
    Column("status", String(20), nullable=False, index=True),
    Column("scoring_round", Integer, nullable=False),
    Column("application_revision", Integer, nullable=False),
    Column("stale", Boolean, nullable=False),
    Column("pending_revision", Integer),
    Column("stale_reason", Text),
    Column("criteria", JSON, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("justifications", JSON, nullable=False),
    Column("weighted_total", Float),
    Column("submitted_total", Float),
    Column("submitted_at", String(40)),
    Column("submissions", Integer, nullable=False),
    Column("rescore_reason", Text),
    Column("moderation_accepted", Boolean, nullable=False),
    Column("conflict_declared", Boolean, nullable=False),
    Column("withdrawal_reason", Text),
    Column("version", Integer, nullable=False),
)

selections = Table(
    "ev_selections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("target_count", Integer, nullable=False),
    Column("type_caps", JSON, nullable=False),
    Column("province_caps", JSON, nullable=False),
    Column("default_province_cap", Integer),
    Column("approved", JSON, nullable=False),
    Column("proposal", JSON, nullable=False),
    Column("inclusions", JSON, nullable=False),
    Column("exclusions", JSON, nullable=False),
    Column("sign_offs", JSON, nullable=False),
    Column("voided_sign_offs", JSON, nullable=False),
    Column("tied_at_cut", JSON, nullable=False),
    Column("limit_violations", JSON, nullable=False),
    Column("document_number", Text),
    Column("published_at", String(40)),
    Column("version", Integer, nullable=False),
)

# The programme's scoring due date (评审截止日期), a business date set by ministry staff.
scoring_deadlines = Table(
    "ev_scoring_deadlines",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False, unique=True),
    Column("due_date", String(10), nullable=False),  # ISO date in the programme's calendar
    Column("changes", JSON, nullable=False),  # each change: due_date, previous, reason
    Column("version", Integer, nullable=False),
)

upstream_copy = MetaData()

programmes = Table(
    "ev_programmes",
    upstream_copy,
    Column("id", String(36), primary_key=True),
    Column("code", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("rules_version", Integer, nullable=False),  # the registry's aggregate version the rules are from
    Column("status", String(30), nullable=True),  # the programme's state as the registry last said (NULL: unknown)
)

applications = Table(
    "ev_applications",
    upstream_copy,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False, index=True),
    Column("province", String(6), nullable=False, index=True),
    Column("pilot_type", String(30), nullable=False, index=True),
    Column("project_name", Text, nullable=False),
    Column("applicant_organisation_id", String(100), nullable=False),
    Column("implementer_organisation_id", String(100), nullable=False),
    Column("pilot_object_id", String(100), nullable=False),
    Column("target_industries", JSON, nullable=False),  # GB/T 4754 codes as intake has them
    Column("has_coating_process", Boolean, nullable=False),
    Column("key_industries", JSON, nullable=False),  # the key-industry codes they fall in
    Column("submitted_at", String(40)),
    Column("revision", Integer, nullable=False),
    Column("intake_status", String(30), nullable=False),
    Column("eligibility_outcome", String(30)),
    Column("priority", Boolean, nullable=False),
    Column("priority_reason_zh", Text),
    Column("withdrawn", Boolean, nullable=False),
    Column("withdrawal_reason", Text),
    Column("outcome_document_number", Text),
    Column("approved", Boolean),
    Column("intake_version", Integer, nullable=False),
    # The schedule (进度安排) as submitted or last amended: the published list carries it to the registry's pilot.
    Column("milestones", JSON),
)

application_scores = Table(
    "ev_application_scores",
    upstream_copy,
    Column("application_id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False, index=True),
    # COMPLETE, AWAITING_SHEETS, STALE_SHEETS, PENDING_MODERATION, RULES_UNKNOWN, UNSCORABLE
    Column("state", String(30), nullable=False, index=True),
    Column("detail", Text),
    Column("score", Float),
    Column("spread", Float),
    Column("innovation_score", Float),
    Column("criterion_means", JSON, nullable=False),
    Column("totals", JSON, nullable=False),
    Column("outliers", JSON, nullable=False),
    Column("pending_moderation", JSON, nullable=False),
    Column("sheet_count", Integer, nullable=False),
    Column("open_sheets", Integer, nullable=False),
    Column("required_sheets", Integer, nullable=False),
    Column("aggregation", String(10)),
)
