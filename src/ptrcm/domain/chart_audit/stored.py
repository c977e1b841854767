"""Values a chart audit keeps and reads back: the audit as started, a visit offered for
sampling with its risk facts, and one stored score (a record's result in one round)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ptrcm.domain.visits import Visit

METHODS = ("random", "risk")
# CARCs that point at documentation: not medically necessary (50), rendering provider not
# eligible / no documentation of credentials (56), payer deems the information submitted
# does not support this level of service (150) or this many services (151).
DOCUMENTATION_CARCS = frozenset({"50", "56", "150", "151"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A visit that may be sampled, with the facts risk sampling weighs."""

    visit: Visit
    charge: Decimal = Decimal("0.00")
    denial_carcs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AuditSpec:
    name: str
    method: str
    seed: int | None
    period_start: date
    period_end: date
    episodes: int
    criteria_version: str


@dataclass(frozen=True, slots=True)
class ChartAudit:
    id: int
    spec: AuditSpec
    started_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredResult:
    visit_id: str
    round: int
    episode_key: str
    therapist: str
    location: str | None
    criteria_version: str
    applied: int
    met: int
    passed: bool
    findings: tuple[tuple[str, str], ...]  # (criterion id, severity)
    criteria: tuple[str, ...]  # the ids of the criteria that applied
    scored_at: datetime


REQUEST_KINDS = ("adr", "audit")
REQUEST_STATUSES = ("open", "sent", "closed")
REQUEST_OUTCOMES = ("upheld", "partial", "overturned", "withdrawn")
RECOUPMENT_SOURCES = ("plb", "reversal", "entered")


@dataclass(frozen=True, slots=True)
class RecordsRequest:
    """A payer's additional-documentation request (ADR) or audit, with its due date."""

    id: int
    payer_id: str
    kind: str
    requested_on: date
    due_on: date
    status: str = "open"
    reference: str | None = None
    claim_pcn: str | None = None
    chart_audit_id: int | None = None
    outcome: str | None = None
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Recoupment:
    """Money a payer took back after payment, linked to the claim and request."""

    id: int
    payer_id: str
    amount: Decimal
    recouped_on: date
    source: str
    reference: str | None = None
    claim_pcn: str | None = None
    records_request_id: int | None = None
