"""Scrub results: one run of the rule catalog over one claim (or visit), and its findings.

A claim's first run (``run_number`` 1) is what the clean-claim rate counts; later runs
after fixes are kept too, so the history shows what changed. The counts per severity on
the run row let the KPI engine read a run without opening its findings.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Text

from ptrcm.store.tables.base import ref, tenant_table
from ptrcm.store.types import UTCDateTime

scrub_runs = tenant_table(
    "scrub_runs",
    ref("claim_id"),
    ref("visit_id"),
    Column("run_number", Integer, nullable=False, server_default="1"),
    Column("scrubbed_at", UTCDateTime(), nullable=False),
    Column("errors", Integer, nullable=False, server_default="0"),
    Column("warnings", Integer, nullable=False, server_default="0"),
    Column("infos", Integer, nullable=False, server_default="0"),
    Column("pack", String(40)),
    Column("pack_version", String(20)),
    CheckConstraint("claim_id IS NOT NULL OR visit_id IS NOT NULL", name="subject"),
    Index("ix_scrub_runs_org_scrubbed_at", "org_id", "scrubbed_at"),
    Index("ix_scrub_runs_org_claim", "org_id", "claim_id"),
    refs={"claim_id": "claims", "visit_id": "visits"},
    cascade=frozenset({"claim_id", "visit_id"}),
)

scrub_findings = tenant_table(
    "scrub_findings",
    ref("scrub_run_id", nullable=False),
    Column("rule", String(8), nullable=False),
    Column("severity", String(7), nullable=False),
    Column("line_number", Integer),
    Column("code", String(5)),
    Column("message", Text, nullable=False),
    Column("fix", Text),
    CheckConstraint("severity IN ('error', 'warning', 'info')", name="severity"),
    Index("ix_scrub_findings_org_rule", "org_id", "rule"),
    Index("ix_scrub_findings_org_run", "org_id", "scrub_run_id"),
    refs={"scrub_run_id": "scrub_runs"},
    cascade=frozenset({"scrub_run_id"}),
)
