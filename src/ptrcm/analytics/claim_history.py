"""One claim from the visit to the last payment, as stored: the reads behind the claim page.

Everything is read for one organization and one claim (by patient control number): the
visit it bills (same patient and payer, dated within the claim's service dates, as the
KPI filters match them), its current lines, versions and 837 batches, scrub runs and
findings, state transitions, 999/277CA acknowledgments, 835 claim payments with their
line payments, adjustments and remarks, appeals, patient payments and what billers did to
its work items. The caller turns these plain rows into a timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select

from ptrcm.analytics.filters import Scope
from ptrcm.store.tables import (
    acknowledgments,
    adjustments,
    appeals,
    claim_lines,
    claim_payments,
    claim_transitions,
    claim_versions,
    claims,
    edi_batches,
    line_payments,
    patient_payments,
    payers,
    providers,
    remark_codes,
    remittance_files,
    remittance_transactions,
    scrub_findings,
    scrub_runs,
    visits,
    work_item_events,
    work_items,
)

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """One 835 claim payment, its remittance, and what it adjusted and remarked."""

    payment: Row
    lines: list[Row]
    adjustments: list[Row]
    remarks: list[Row]


@dataclass(frozen=True, slots=True)
class ClaimHistory:
    claim: Row
    visit: Row | None
    lines: list[Row]
    versions: list[Row]
    scrubs: list[tuple[Row, list[Row]]]
    transitions: list[Row]
    acks: list[Row]
    payments: list[PaymentRecord]
    appeals: list[Row]
    patient_payments: list[Row]
    line_money: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    work_events: list[Row] = field(default_factory=list)  # with the item's ``kind``


def _rows(scope: Scope, query: Any) -> list[Row]:
    return [dict(r._mapping) for r in scope.rows(query)]


def _claim(scope: Scope, pcn: str) -> Row | None:
    query = (
        select(claims, payers.c.external_id.label("payer"), payers.c.payer_class)
        .select_from(claims.join(payers, payers.c.id == claims.c.payer_id))
        .where(claims.c.org_id == scope.org_id, claims.c.pcn == pcn)
    )
    found = _rows(scope, query)
    return found[0] if found else None


def _visit(scope: Scope, claim: Row) -> Row | None:
    query = (
        select(
            visits.c.external_id,
            visits.c.date_of_service,
            visits.c.total_timed_minutes,
            visits.c.total_treatment_minutes,
            visits.c.provider_id,
            func.coalesce(providers.c.name, providers.c.external_id).label("therapist"),
            providers.c.credential,
        )
        .select_from(visits.outerjoin(providers, providers.c.id == visits.c.provider_id))
        .where(
            visits.c.org_id == scope.org_id,
            visits.c.patient_id == claim["patient_id"],
            visits.c.payer_id == claim["payer_id"],
            visits.c.date_of_service.between(
                claim["first_date_of_service"], claim["last_date_of_service"]
            ),
        )
        .order_by(visits.c.date_of_service, visits.c.id)
        .limit(1)
    )
    found = _rows(scope, query)
    return found[0] if found else None


def _versions(scope: Scope, claim_id: int) -> list[Row]:
    query = (
        select(
            claim_versions.c.id, claim_versions.c.version_number,
            claim_versions.c.frequency_code, claim_versions.c.payer_claim_number,
            claim_versions.c.total_charge, claim_versions.c.submitted_at,
            claim_versions.c.batch_id, edi_batches.c.kind.label("batch_kind"),
            edi_batches.c.file_name.label("batch_file"), edi_batches.c.isa_control,
            edi_batches.c.gs_control,
        )
        .select_from(
            claim_versions.outerjoin(edi_batches, edi_batches.c.id == claim_versions.c.batch_id)
        )
        .where(claim_versions.c.org_id == scope.org_id, claim_versions.c.claim_id == claim_id)
        .order_by(claim_versions.c.version_number)
    )  # fmt: skip
    return _rows(scope, query)


def _lines(scope: Scope, version_id: int) -> list[Row]:
    query = (
        select(claim_lines)
        .where(claim_lines.c.org_id == scope.org_id, claim_lines.c.claim_version_id == version_id)
        .order_by(claim_lines.c.line_number)
    )
    return _rows(scope, query)


def _scrubs(scope: Scope, claim_id: int) -> list[tuple[Row, list[Row]]]:
    runs = _rows(
        scope,
        select(scrub_runs)
        .where(scrub_runs.c.org_id == scope.org_id, scrub_runs.c.claim_id == claim_id)
        .order_by(scrub_runs.c.run_number, scrub_runs.c.id),
    )
    if not runs:
        return []
    found = _rows(
        scope,
        select(scrub_findings)
        .where(
            scrub_findings.c.org_id == scope.org_id,
            scrub_findings.c.scrub_run_id.in_([r["id"] for r in runs]),
        )
        .order_by(scrub_findings.c.id),
    )
    return [(run, [f for f in found if f["scrub_run_id"] == run["id"]]) for run in runs]


def _transitions(scope: Scope, claim_id: int) -> list[Row]:
    query = (
        select(claim_transitions)
        .where(claim_transitions.c.org_id == scope.org_id, claim_transitions.c.claim_id == claim_id)
        .order_by(claim_transitions.c.occurred_at, claim_transitions.c.id)
    )
    return _rows(scope, query)


def _acks(scope: Scope, claim_id: int, batch_ids: list[int]) -> list[Row]:
    mine = acknowledgments.c.claim_id == claim_id
    whole_batch = and_(
        acknowledgments.c.claim_id.is_(None), acknowledgments.c.batch_id.in_(batch_ids)
    )
    query = (
        select(acknowledgments)
        .where(acknowledgments.c.org_id == scope.org_id, or_(mine, whole_batch))
        .order_by(acknowledgments.c.received_at, acknowledgments.c.id)
    )
    return _rows(scope, query)


def _payments(scope: Scope, claim_id: int) -> list[PaymentRecord]:
    cp, t = claim_payments, remittance_transactions
    heads = _rows(
        scope,
        select(
            cp, t.c.payment_date, t.c.trace_number, t.c.payment_method,
            remittance_files.c.file_name, remittance_files.c.received_at,
        )
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).join(
                remittance_files, remittance_files.c.id == t.c.remittance_file_id
            )
        )
        .where(cp.c.org_id == scope.org_id, cp.c.claim_id == claim_id)
        .order_by(t.c.payment_date, cp.c.id),
    )  # fmt: skip
    if not heads:
        return []
    ids = [h["id"] for h in heads]

    def of(table: Any, order: Any) -> list[Row]:
        return _rows(
            scope,
            select(table)
            .where(table.c.org_id == scope.org_id, table.c.claim_payment_id.in_(ids))
            .order_by(order, table.c.id),
        )

    lines = of(line_payments, line_payments.c.id)
    adjusted = of(adjustments, adjustments.c.line_payment_id)
    remarks = of(remark_codes, remark_codes.c.line_payment_id)
    return [
        PaymentRecord(
            h,
            [x for x in lines if x["claim_payment_id"] == h["id"]],
            [x for x in adjusted if x["claim_payment_id"] == h["id"]],
            [x for x in remarks if x["claim_payment_id"] == h["id"]],
        )
        for h in heads
    ]


def _simple(scope: Scope, table: Any, claim_id: int, order: Any) -> list[Row]:
    query = (
        select(table)
        .where(table.c.org_id == scope.org_id, table.c.claim_id == claim_id)
        .order_by(order, table.c.id)
    )
    return _rows(scope, query)


def _work_events(scope: Scope, claim_id: int) -> list[Row]:
    e, w = work_item_events, work_items
    query = (
        select(e, w.c.kind)
        .select_from(e.join(w, w.c.id == e.c.work_item_id))
        .where(e.c.org_id == scope.org_id, w.c.org_id == scope.org_id, w.c.claim_id == claim_id)
        .order_by(e.c.occurred_at, e.c.id)
    )
    return _rows(scope, query)


def claim_history(scope: Scope, pcn: str) -> ClaimHistory | None:
    """Everything stored about the claim with patient control number ``pcn``."""
    claim = _claim(scope, pcn)
    if claim is None:
        return None
    versions = _versions(scope, claim["id"])
    current = next(
        (v for v in versions if v["version_number"] == claim["current_version"]),
        versions[-1] if versions else None,
    )
    payments = _payments(scope, claim["id"])
    line_money: dict[int, tuple[Decimal, Decimal]] = {}
    for record in payments:
        for line in record.lines:
            if line["claim_line_id"] is None:
                continue
            share = sum(
                (
                    a["amount"]
                    for a in record.adjustments
                    if a["line_payment_id"] == line["id"] and a["group_code"] == "PR"
                ),
                Decimal("0.00"),
            )
            paid, allowed = line_money.get(line["claim_line_id"], (Decimal("0.00"),) * 2)
            line_money[line["claim_line_id"]] = (
                paid + line["paid_amount"],
                allowed + line["paid_amount"] + share,
            )
    return ClaimHistory(
        claim=claim,
        visit=_visit(scope, claim),
        lines=_lines(scope, current["id"]) if current else [],
        versions=versions,
        scrubs=_scrubs(scope, claim["id"]),
        transitions=_transitions(scope, claim["id"]),
        acks=_acks(scope, claim["id"], [v["batch_id"] for v in versions if v["batch_id"]]),
        payments=payments,
        appeals=_simple(scope, appeals, claim["id"], appeals.c.level),
        patient_payments=_simple(
            scope, patient_payments, claim["id"], patient_payments.c.received_at
        ),
        line_money=line_money,
        work_events=_work_events(scope, claim["id"]),
    )


def day_of(value: date | datetime | None) -> date | None:
    """The calendar day of a stored date or UTC timestamp."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value
