"""Each payer's daily answers, as the systemic-denial detectors read them (docs/alerts.md).

For every day with a posted 835 payment (remittance date, BPR16) and payer: the claims
answered (claim payments that are not reversals), how many carried no denial (not status
4, no denial adjustment), and per reason (group-CARC) how many claims carried it, with
their PCNs as evidence. The last 835 date per payer feeds the silence detector.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, FromClause, func, select

from ptrcm.analytics.filters import Scope
from ptrcm.domain.alerts.detect import DayCounts
from ptrcm.domain.denials import STATUS_DENIED, STATUS_REVERSAL
from ptrcm.store.adjustment_conditions import is_denial
from ptrcm.store.tables import (
    adjustments,
    claim_payments,
    claims,
    payers,
    remittance_transactions,
)


def _payer() -> ColumnElement[str]:
    """Our payer of the claim answered (the 835's payer key when it matched no claim)."""
    return func.coalesce(payers.c.external_id, remittance_transactions.c.payer_key, "?")


def _answers() -> FromClause:
    t, cp = remittance_transactions, claim_payments
    return (
        cp.join(t, t.c.id == cp.c.transaction_id)
        .outerjoin(claims, claims.c.id == cp.c.claim_id)
        .outerjoin(payers, payers.c.id == claims.c.payer_id)
    )


def day_counts(scope: Scope, start: date, end: date) -> list[DayCounts]:
    t, cp = remittance_transactions, claim_payments
    answered = (
        select(t.c.payment_date, _payer(), cp.c.id, cp.c.pcn, cp.c.status_code)
        .select_from(_answers())
        .where(
            cp.c.org_id == scope.org_id,
            t.c.payment_date.between(start, end),
            cp.c.status_code != STATUS_REVERSAL,
            cp.c.paid_amount >= 0,
        )
    )
    rows = scope.rows(answered)
    denied = (
        select(adjustments.c.claim_payment_id, adjustments.c.group_code, adjustments.c.carc)
        .select_from(adjustments.join(cp, cp.c.id == adjustments.c.claim_payment_id)
                     .join(t, t.c.id == cp.c.transaction_id))
        .where(adjustments.c.org_id == scope.org_id, t.c.payment_date.between(start, end),
               is_denial())
        .distinct()
    )  # fmt: skip
    reasons: dict[int, set[str]] = defaultdict(set)
    for payment_id, group, carc in scope.rows(denied):
        reasons[int(payment_id)].add(f"{group}-{carc}")
    days: dict[tuple[str, date], _Day] = {}
    for day, payer, payment_id, pcn, status in rows:
        entry = days.setdefault((payer, day), _Day())
        entry.claims += 1
        mine = reasons.get(int(payment_id), set())
        if not mine and status != STATUS_DENIED:
            entry.clean += 1
        for reason in mine:
            entry.reasons[reason].append(pcn)
    return [
        DayCounts(payer, day, e.claims, e.clean, {r: len(p) for r, p in e.reasons.items()},
                  {r: tuple(sorted(p)) for r, p in e.reasons.items()})
        for (payer, day), e in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]  # fmt: skip


@dataclass
class _Day:
    claims: int = 0
    clean: int = 0
    reasons: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def last_answers(scope: Scope, through: date) -> dict[str, date]:
    """Each payer's latest remittance date up to ``through``."""
    t, cp = remittance_transactions, claim_payments
    payer = _payer()
    query = (
        select(payer, func.max(t.c.payment_date))
        .select_from(_answers())
        .where(cp.c.org_id == scope.org_id, t.c.payment_date <= through)
        .group_by(payer)
    )
    return {p: day for p, day in scope.rows(query) if day is not None}
