"""Revenue KPIs: net revenue per visit by payer and location, underpayments by payer and
code, and the evaluation code mix of each therapist against peers. docs/kpis.md.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, select

from ptrcm.analytics.filters import (
    KpiFilters,
    Scope,
    claim_conds,
    fact_conds,
    has_place,
    rollup_conds,
    visit_conds,
    visit_rollup_conds,
    visits_in,
)
from ptrcm.analytics.sql import cents, money_sum, rate
from ptrcm.store.tables import (
    claim_facts,
    claim_payments,
    claims,
    line_payments,
    locations,
    patient_payments,
    payers,
    providers,
    remittance_transactions,
    revenue_rollup,
    underpayments,
    visit_rollup,
    visit_services,
    visits,
)
from ptrcm.store.tables.clinical import NO_LOCATION

ZERO = Decimal("0.00")
# Evaluation codes by complexity: PT 97161-97163 / 97164, OT 97165-97167 / 97168.
EVAL_LEVELS = {
    "97161": "low", "97162": "moderate", "97163": "high", "97164": "reeval",
    "97165": "low", "97166": "moderate", "97167": "high", "97168": "reeval",
}  # fmt: skip
OUTLIER_Z = Decimal(2)
OUTLIER_MIN_GAP = Decimal("0.10")


@dataclass(frozen=True, slots=True)
class RevenueRow:
    payer: str
    payer_class: str
    location: str
    visits: int
    net_revenue: Decimal
    per_visit: Decimal | None


def _claim_visit_join() -> ColumnElement[bool]:
    return and_(
        visits.c.org_id == claims.c.org_id,
        visits.c.patient_id == claims.c.patient_id,
        visits.c.payer_id == claims.c.payer_id,
        visits.c.date_of_service == claims.c.first_date_of_service,
    )


def _money_by_visit_join(scope: Scope, f: KpiFilters) -> dict[tuple[int, int | None], Decimal]:
    """Payer (all claim payments) and patient payments on claims matched to the period's
    visits, by the visit's payer and location: the join itself, for place filters."""
    payer_paid = (
        select(func.coalesce(func.sum(claim_payments.c.paid_amount), 0))
        .where(claim_payments.c.org_id == claims.c.org_id, claim_payments.c.claim_id == claims.c.id)
        .scalar_subquery()
    )
    patient_paid = (
        select(func.coalesce(func.sum(patient_payments.c.amount), 0))
        .where(
            patient_payments.c.org_id == claims.c.org_id,
            patient_payments.c.claim_id == claims.c.id,
        )
        .scalar_subquery()
    )
    in_period = visits.c.date_of_service.between(f.start, f.end)
    money = (
        select(visits.c.payer_id, visits.c.location_id, money_sum(payer_paid + patient_paid))
        .select_from(claims.join(visits, _claim_visit_join()))
        .where(*claim_conds(scope, f), *visit_conds(scope, f), in_period)
        .where(claims.c.state.not_in(("voided", "corrected")))
        .group_by(visits.c.payer_id, visits.c.location_id)
    )
    return {(p, loc): amount for p, loc, amount in scope.rows(money)}


def revenue_claims(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``claim_facts`` of the claims whose money is the revenue of the period's visits: a
    first date of service in the period, not voided or replaced, a visit on that day. Each
    brings its payer and patient payments once per such visit (``revenue_visits``)."""
    cf = claim_facts
    return [
        *fact_conds(scope, f),
        cf.c.first_dos.between(f.start, f.end),
        cf.c.state.not_in(("voided", "corrected")),
        cf.c.revenue_visits > 0,
    ]


def _money_by_facts(
    scope: Scope, f: KpiFilters, rolled_up: bool = True
) -> dict[tuple[int, int | None], Decimal]:
    """The same sums from ``claim_facts``: a claim's payer and patient payments, once per
    visit on its first date of service, under that visit's location (summed per day in
    ``revenue_rollup``). The few claims whose first-DOS visits are at different locations
    are joined to those visits. Not for location or therapist filters (``has_place``);
    ``rolled_up=False`` reads the one-location claims' facts instead of the rollup."""
    cf, rr = claim_facts, revenue_rollup
    where = revenue_claims(scope, f)
    paid = cf.c.payer_paid + cf.c.patient_paid
    single = (  # the claims at one location: their daily rollup (or, to check it, facts)
        select(rr.c.payer_id, rr.c.location_id, money_sum(rr.c.revenue))
        .where(*rollup_conds(scope, f, rr), rr.c.first_dos.between(f.start, f.end))
        .group_by(rr.c.payer_id, rr.c.location_id)
        if rolled_up
        else select(cf.c.payer_id, cf.c.location_id, money_sum(paid * cf.c.revenue_visits))
        .where(*where, cf.c.location_id.is_not(None))
        .group_by(cf.c.payer_id, cf.c.location_id)
    )
    on_first_dos = and_(
        visits.c.org_id == cf.c.org_id,
        visits.c.patient_id == cf.c.patient_id,
        visits.c.payer_id == cf.c.payer_id,
        visits.c.date_of_service == cf.c.first_dos,
    )
    mixed = (
        select(visits.c.payer_id, visits.c.location_id, money_sum(paid))
        .select_from(cf.join(visits, on_first_dos))
        .where(*where, cf.c.location_id.is_(None))
        .group_by(visits.c.payer_id, visits.c.location_id)
    )
    out: dict[tuple[int, int | None], Decimal] = {}
    for p, loc, amount in [*scope.rows(single), *scope.rows(mixed)]:
        out[(p, loc)] = out.get((p, loc), ZERO) + amount
    return out


def visit_counts(scope: Scope, f: KpiFilters) -> dict[tuple[int, int | None], int]:
    """The period's visits (``visits_in``) by payer id and location id (``None``: none),
    from the daily ``visit_rollup`` unless the filters name a therapist."""
    if f.therapist is not None:
        counts = (
            select(visits.c.payer_id, visits.c.location_id, func.count())
            .where(*visits_in(scope, f))
            .group_by(visits.c.payer_id, visits.c.location_id)
        )
        return {(pid, loc): int(n) for pid, loc, n in scope.rows(counts)}
    vr = visit_rollup
    rolled = (
        select(vr.c.payer_id, vr.c.location_id, func.sum(vr.c.visits))
        .where(*visit_rollup_conds(scope, f), vr.c.date_of_service.between(f.start, f.end))
        .group_by(vr.c.payer_id, vr.c.location_id)
    )
    return {
        (pid, None if loc == NO_LOCATION else loc): int(n) for pid, loc, n in scope.rows(rolled)
    }


def net_revenue_per_visit(scope: Scope, f: KpiFilters) -> list[RevenueRow]:
    """Visits with a date of service in the period, by payer and location; net revenue is
    what the payer paid (net of reversals) and the patient paid on their claims, to date.
    A claim is matched to its visit by patient, payer and first date of service."""
    revenue = _money_by_visit_join(scope, f) if has_place(f) else _money_by_facts(scope, f)
    payer_names = {
        pid: (ext, cls or "unknown")
        for pid, ext, cls in scope.rows(
            select(payers.c.id, payers.c.external_id, payers.c.payer_class).where(
                payers.c.org_id == scope.org_id
            )
        )
    }
    location_names = dict(
        scope.rows(
            select(locations.c.id, locations.c.external_id).where(
                locations.c.org_id == scope.org_id
            )
        )
    )
    rows = []
    for (pid, loc), n in visit_counts(scope, f).items():
        amount = revenue.get((pid, loc), ZERO)
        ext, cls = payer_names[pid]
        per_visit = cents(amount / n) if n else None
        rows.append(RevenueRow(ext, cls, location_names.get(loc, "unknown"), n, amount, per_visit))
    return sorted(rows, key=lambda r: (r.payer, r.location))


def total_net_revenue_per_visit(rows: list[RevenueRow]) -> Decimal | None:
    visits_seen = sum(r.visits for r in rows)
    return cents(sum((r.net_revenue for r in rows), ZERO) / visits_seen) if visits_seen else None


@dataclass(frozen=True, slots=True)
class UnderpaymentRow:
    payer: str
    code: str
    lines: int
    expected: Decimal
    actual: Decimal
    short: Decimal


def underpayments_by_payer_code(scope: Scope, f: KpiFilters) -> list[UnderpaymentRow]:
    """Underpaid remittance lines posted in the period (as the posting service recorded
    them against the contract fee schedule), by payer and code."""
    up, lp, cp, t = underpayments, line_payments, claim_payments, remittance_transactions
    query = (
        select(
            payers.c.external_id,
            up.c.code,
            func.count(),
            money_sum(up.c.expected_allowed),
            money_sum(up.c.actual_allowed),
        )
        .select_from(
            up.join(lp, lp.c.id == up.c.line_payment_id)
            .join(cp, cp.c.id == lp.c.claim_payment_id)
            .join(t, t.c.id == cp.c.transaction_id)
            .join(claims, claims.c.id == up.c.claim_id)
            .join(payers, payers.c.id == claims.c.payer_id)
        )
        .where(up.c.org_id == scope.org_id, t.c.payment_date.between(f.start, f.end))
        .where(*claim_conds(scope, f))
        .group_by(payers.c.external_id, up.c.code)
    )
    rows = [
        UnderpaymentRow(payer, code, int(n), expected, actual, expected - actual)
        for payer, code, n, expected, actual in scope.rows(query)
    ]
    return sorted(rows, key=lambda r: (-r.short, r.payer, r.code))


@dataclass(frozen=True, slots=True)
class EvalMixRow:
    therapist: str  # NPI, or the provider's external id when it has none
    name: str
    discipline: str
    evaluations: int
    shares: dict[str, Decimal | None]  # low, moderate, high, reeval: fraction of evaluations
    peer_high: Decimal | None  # mean high-complexity share of the same discipline's others
    z_score: Decimal | None
    outlier: bool


def eval_mix(scope: Scope, f: KpiFilters) -> list[EvalMixRow]:
    """Evaluation codes billed per therapist in the period, and whether the therapist's
    share of high-complexity evaluations stands out from peers (docs/kpis.md)."""
    # The evaluation lines (few, from the index on code) joined to the period's visits.
    # SQLite would otherwise seek each of the period's visits for an evaluation line, so
    # there the lines are read first (MATERIALIZED); PostgreSQL hash-joins the two index
    # scans by itself.
    evals = (
        select(visit_services.c.visit_id, visit_services.c.code)
        .where(
            visit_services.c.org_id == scope.org_id,
            visit_services.c.code.in_(sorted(EVAL_LEVELS)),
        )
        .cte("evals")
        .prefix_with("MATERIALIZED", dialect="sqlite")
    )
    query = (
        select(
            providers.c.npi,
            providers.c.external_id,
            providers.c.name,
            visits.c.discipline,
            evals.c.code,
            func.count(),
        )
        .select_from(
            evals.join(visits, visits.c.id == evals.c.visit_id).join(
                providers, providers.c.id == visits.c.provider_id
            )
        )
        .where(*visit_conds(scope, f), visits.c.date_of_service.between(f.start, f.end))
        .group_by(
            providers.c.npi,
            providers.c.external_id,
            providers.c.name,
            visits.c.discipline,
            evals.c.code,
        )
    )
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    for npi, ext, name, discipline, code, n in scope.rows(query):
        key = (npi or ext, name or "", discipline)
        level = EVAL_LEVELS[code]
        counts.setdefault(key, {}).setdefault(level, 0)
        counts[key][level] += int(n)
    return [_mix_row(key, counts) for key in sorted(counts)]


def _mix_row(
    key: tuple[str, str, str], counts: dict[tuple[str, str, str], dict[str, int]]
) -> EvalMixRow:
    therapist, name, discipline = key
    mine = counts[key]
    total = sum(mine.values())
    shares = {lvl: rate(mine.get(lvl, 0), total) for lvl in ("low", "moderate", "high", "reeval")}
    peers = [
        Decimal(c.get("high", 0)) / n
        for k, c in counts.items()
        if k != key and k[2] == discipline and (n := sum(c.values()))
    ]
    if len(peers) < 2:
        return EvalMixRow(therapist, name, discipline, total, shares, None, None, False)
    mean = statistics.mean(peers)
    sd = statistics.pstdev(peers)
    mine_high = Decimal(mine.get("high", 0)) / total
    gap = abs(mine_high - mean)
    z = None if sd == 0 else ((mine_high - mean) / sd).quantize(Decimal("0.01"))
    outlier = gap >= OUTLIER_MIN_GAP and (sd == 0 or gap > OUTLIER_Z * sd)
    peer_high = mean.quantize(Decimal("0.0001"))
    return EvalMixRow(therapist, name, discipline, total, shares, peer_high, z, outlier)
