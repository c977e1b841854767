"""The work queues' sources, read for one organization.

* scrub errors: claims held by the scrubber (state ``held``), with the error findings of
  their latest scrub run;
* rejections, denials, underpayments: open (or in-progress) work items of kind
  ``rejection`` (999/277CA), ``denial`` (835 posting) and ``underpayment`` (contract check);
* unmatched remittances: open work items of kind ``exception`` — 835 claims, 999 groups
  and 277CA claims that matched none of our claims or batches.

Denials come largest first, then nearest deadline (none last); every other queue oldest
first. ``queue_rows`` reads one page of that order (or all of it); ``queue_totals`` counts
the whole queue and its dollars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from ptrcm.analytics.filters import Scope
from ptrcm.analytics.sql import cents, money_sum
from ptrcm.store.tables import claims, payers, scrub_findings, scrub_runs, work_items

WORK_KINDS = {
    "rejections": "rejection",
    "denials": "denial",
    "underpayments": "underpayment",
    "unmatched-remittances": "exception",
}
QUEUES = ("scrub-errors", *WORK_KINDS)
OPEN = ("open", "in_progress")


@dataclass(frozen=True, slots=True)
class QueueRow:
    item_id: str
    pcn: str | None
    payer: str | None
    first_date_of_service: date | None
    code: str
    reason: str
    amount: Decimal
    due_date: date | None
    since: datetime


@dataclass(frozen=True, slots=True)
class QueueSort:
    """A column of the queue's table (``claim_id``, ``payer_id``, ``date_of_service``,
    ``reason_code``, ``reason``, ``amount``, ``deadline``, ``age_days``) and a direction;
    blanks sort last either way."""

    key: str
    descending: bool = False


def _page(query: Select[Any], offset: int, limit: int | None) -> Select[Any]:
    query = query.offset(offset) if offset else query
    return query if limit is None else query.limit(limit)


def _ordered(
    columns: dict[str, ColumnElement[Any]], sort: QueueSort | None, default: tuple[Any, ...]
) -> tuple[Any, ...]:
    """The whole queue sorted by ``sort`` (age: the oldest first when descending), then by
    the working order; an unknown column keeps the working order."""
    column = None if sort is None else columns.get(sort.key)
    if column is None or sort is None:
        return default
    newest_first = not sort.descending if sort.key == "age_days" else sort.descending
    first = column.desc() if newest_first else column.asc()
    return (first.nulls_last(), *default)


def _work_conds(scope: Scope, kind: str) -> list[ColumnElement[bool]]:
    w = work_items
    return [w.c.org_id == scope.org_id, w.c.kind == kind, w.c.state.in_(OPEN)]


def _work_items(
    scope: Scope, kind: str, offset: int, limit: int | None, sort: QueueSort | None
) -> list[QueueRow]:
    w = work_items
    working = (
        (w.c.amount.desc().nulls_last(), w.c.due_date.asc().nulls_last(), w.c.id)
        if kind == "denial"
        else (w.c.created_at, w.c.id)
    )
    columns: dict[str, ColumnElement[Any]] = {
        "claim_id": claims.c.pcn, "payer_id": payers.c.external_id,
        "date_of_service": claims.c.first_date_of_service, "reason_code": w.c.carc,
        "reason": w.c.reason, "amount": w.c.amount, "deadline": w.c.due_date,
        "age_days": w.c.created_at,
    }  # fmt: skip
    order = _ordered(columns, sort, working)
    query = (
        select(
            w.c.id, w.c.carc, w.c.reason, w.c.amount, w.c.due_date, w.c.created_at, claims.c.pcn,
            claims.c.first_date_of_service, payers.c.external_id,
        )
        .select_from(
            w.outerjoin(claims, claims.c.id == w.c.claim_id).outerjoin(
                payers, payers.c.id == claims.c.payer_id
            )
        )
        .where(*_work_conds(scope, kind))
        .order_by(*order)
    )  # fmt: skip
    return [
        QueueRow(
            f"W-{i}", pcn, payer, dos, carc or "", reason or "", amount or Decimal("0.00"),
            due, created,
        )
        for i, carc, reason, amount, due, created, pcn, dos, payer in scope.rows(
            _page(query, offset, limit)
        )
    ]  # fmt: skip


def _held_claims(
    scope: Scope, offset: int, limit: int | None, sort: QueueSort | None
) -> list[QueueRow]:
    last_run = (
        select(scrub_runs.c.claim_id, func.max(scrub_runs.c.id).label("run_id"))
        .where(scrub_runs.c.org_id == scope.org_id, scrub_runs.c.claim_id.is_not(None))
        .group_by(scrub_runs.c.claim_id)
        .subquery("last_run")
    )
    held_columns: dict[str, ColumnElement[Any]] = {
        "claim_id": claims.c.pcn,
        "payer_id": payers.c.external_id,
        "date_of_service": claims.c.first_date_of_service,
        "amount": claims.c.total_charge,
        "age_days": scrub_runs.c.scrubbed_at,
    }  # fmt: skip (rule codes and reasons are gathered per claim, not sortable in SQL)
    query = (
        select(
            claims.c.id, claims.c.pcn, payers.c.external_id, claims.c.first_date_of_service,
            claims.c.total_charge, scrub_runs.c.id, scrub_runs.c.scrubbed_at,
        )
        .select_from(
            claims.join(payers, payers.c.id == claims.c.payer_id)
            .join(last_run, last_run.c.claim_id == claims.c.id)
            .join(scrub_runs, scrub_runs.c.id == last_run.c.run_id)
        )
        .where(claims.c.org_id == scope.org_id, claims.c.state == "held")
        .order_by(*_ordered(held_columns, sort, (scrub_runs.c.scrubbed_at, claims.c.id)))
    )  # fmt: skip
    heads = scope.rows(_page(query, offset, limit))
    found: dict[int, list[tuple[str, str]]] = {}
    if heads:
        errors = select(
            scrub_findings.c.scrub_run_id, scrub_findings.c.rule, scrub_findings.c.message
        ).where(
            scrub_findings.c.org_id == scope.org_id,
            scrub_findings.c.severity == "error",
            scrub_findings.c.scrub_run_id.in_([h[5] for h in heads]),
        ).order_by(scrub_findings.c.id)  # fmt: skip
        for run_id, rule, message in scope.rows(errors):
            found.setdefault(int(run_id), []).append((str(rule), str(message)))
    rows = []
    for claim_id, pcn, payer, dos, charge, run_id, scrubbed in heads:
        errors_of = found.get(int(run_id), [])
        rules = ",".join(dict.fromkeys(rule for rule, _ in errors_of))
        reason = "; ".join(f"{rule}: {message}" for rule, message in errors_of)
        rows.append(
            QueueRow(
                f"H-{claim_id}", pcn, payer, dos, rules, reason or "held by the scrubber",
                charge, None, scrubbed,
            )
        )  # fmt: skip
    return rows


def queue_rows(
    scope: Scope,
    queue: str,
    offset: int = 0,
    limit: int | None = None,
    sort: QueueSort | None = None,
) -> list[QueueRow]:
    """The open items of one queue (``scrub-errors``, ``rejections``, ``denials``,
    ``underpayments`` or ``unmatched-remittances``) in working order, or sorted by
    ``sort`` across the whole queue: ``limit`` of them from ``offset``, or all of them
    when ``limit`` is None."""
    if queue == "scrub-errors":
        return _held_claims(scope, offset, limit, sort)
    return _work_items(scope, WORK_KINDS[queue], offset, limit, sort)


@dataclass(frozen=True, slots=True)
class QueueTotals:
    items: int
    amount: Decimal


def queue_totals(scope: Scope, queue: str) -> QueueTotals:
    """How many items the whole queue holds and their dollars (charges for held claims)."""
    if queue == "scrub-errors":
        has_run = (
            select(scrub_runs.c.id)
            .where(scrub_runs.c.org_id == scope.org_id, scrub_runs.c.claim_id == claims.c.id)
            .exists()
        )
        query = select(func.count(), money_sum(claims.c.total_charge)).where(
            claims.c.org_id == scope.org_id, claims.c.state == "held", has_run
        )
    else:
        w = work_items
        query = select(func.count(), money_sum(w.c.amount)).where(
            *_work_conds(scope, WORK_KINDS[queue])
        )
    ((count, amount),) = scope.rows(query)
    return QueueTotals(int(count), cents(Decimal(amount)))
