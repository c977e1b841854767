"""Chart audits (issue 15): one audit of a sample of episodes, and each record's score.

``chart_audits`` is the audit as started: how the episodes were sampled (random with a
seed, or by risk), the period and the criteria version. ``chart_audit_results`` holds one
row per visit and round: round 1 is the first scoring, a re-audit after correction adds
round 2, 3... so the history shows what changed. Findings are kept as a JSON list of
``{"criterion", "severity"}`` and the applied criteria as a list of ids (never note text).
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Date, Index, Integer, String

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import MoneyType, UTCDateTime

chart_audits = tenant_table(
    "chart_audits",
    Column("name", String(80), nullable=False),
    Column("method", String(8), nullable=False),
    Column("seed", Integer),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("episodes", Integer, nullable=False),
    Column("criteria_version", String(20), nullable=False),
    Column("started_by", String(120), nullable=False),
    CheckConstraint("method IN ('random', 'risk')", name="method"),
    Index("ix_chart_audits_org_period", "org_id", "period_start"),
)

chart_audit_results = tenant_table(
    "chart_audit_results",
    ref("chart_audit_id", nullable=False),
    ref("visit_id", nullable=False),
    Column("round", Integer, nullable=False),
    Column("episode_key", String(200), nullable=False),
    Column("therapist", String(80), nullable=False),
    Column("location", String(64)),
    Column("criteria_version", String(20), nullable=False),
    Column("applied", Integer, nullable=False),
    Column("met", Integer, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("findings", Json, nullable=False),
    Column("criteria", Json, nullable=False),  # the ids of the criteria that applied
    Column("scored_at", UTCDateTime(), nullable=False),
    Index("ix_chart_audit_results_org_audit", "org_id", "chart_audit_id", "round"),
    Index("ix_chart_audit_results_org_therapist", "org_id", "therapist"),
    refs={"chart_audit_id": "chart_audits", "visit_id": "visits"},
    cascade=frozenset({"chart_audit_id"}),
)

# Payer records requests (additional-documentation requests, audits) and post-payment
# recoupments, linked to claims and chart audits. No free text: ids, dates, codes, money.
records_requests = tenant_table(
    "records_requests",
    ref("payer_id", nullable=False),
    ref("claim_id"),
    ref("chart_audit_id"),
    Column("kind", String(8), nullable=False),
    Column("reference", String(50)),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(8), nullable=False, server_default="open"),
    Column("outcome", String(12)),
    Column("closed_on", Date),
    CheckConstraint("kind IN ('adr', 'audit')", name="kind"),
    CheckConstraint("status IN ('open', 'sent', 'closed')", name="status"),
    CheckConstraint(
        "outcome IS NULL OR outcome IN ('upheld', 'partial', 'overturned', 'withdrawn')",
        name="outcome",
    ),
    Index("ix_records_requests_org_requested", "org_id", "requested_on"),
    refs={"payer_id": "payers", "claim_id": "claims", "chart_audit_id": "chart_audits"},
)

recoupments = tenant_table(
    "recoupments",
    ref("payer_id", nullable=False),
    ref("claim_id"),
    ref("records_request_id"),
    Column("amount", MoneyType(), nullable=False),
    Column("recouped_on", Date, nullable=False),
    Column("source", String(8), nullable=False),
    Column("reference", String(50)),
    CheckConstraint("source IN ('plb', 'reversal', 'entered')", name="source"),
    Index("ix_recoupments_org_recouped", "org_id", "recouped_on"),
    refs={"payer_id": "payers", "claim_id": "claims", "records_request_id": "records_requests"},
)
