"""Activity counts the dashboard shows beside the KPIs: cash and visits per day, therapist
productivity, and whether there is anything to show. Same filters and scope as the KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, FromClause, func, select

from ptrcm.analytics.filters import (
    KpiFilters,
    Scope,
    claim_conds,
    fact_conds,
    narrows_claims,
    visit_conds,
    visit_rollup_conds,
)
from ptrcm.analytics.sql import end_of, money_sum, start_of
from ptrcm.store.day_sql import utc_day
from ptrcm.store.tables import (
    claim_fact_payments,
    claim_facts,
    claims,
    locations,
    patient_payments,
    providers,
    visit_rollup,
    visit_services,
    visits,
)


def payer_cash(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``claim_fact_payments`` rows of the period (remittance payment date) on claims that
    meet the filters: the payer half of cash collected."""
    fp, cf = claim_fact_payments, claim_facts
    conds = [fp.c.org_id == scope.org_id, fp.c.payment_date.between(f.start, f.end)]
    if narrows_claims(f):
        conds.append(fp.c.claim_id.in_(select(cf.c.claim_id).where(*fact_conds(scope, f))))
    return conds


def patient_cash(scope: Scope, f: KpiFilters) -> tuple[FromClause, list[ColumnElement[bool]]]:
    """``patient_payments`` received in the period on claims that meet the filters (joined
    to their claims): the patient half of cash collected. Money on account has no claim."""
    pp = patient_payments
    joined = pp.join(claims, claims.c.id == pp.c.claim_id)
    return joined, [
        pp.c.received_at >= start_of(f.start),
        pp.c.received_at < end_of(f.end),
        *claim_conds(scope, f),
    ]


def cash_by_day(scope: Scope, f: KpiFilters) -> dict[date, Decimal]:
    """Payer payments (by remittance payment date, from ``claim_fact_payments``) plus
    patient payments, per day."""
    fp = claim_fact_payments
    payer = (
        select(fp.c.payment_date, money_sum(fp.c.paid))
        .where(*payer_cash(scope, f))
        .group_by(fp.c.payment_date)
    )
    day = utc_day(patient_payments.c.received_at)
    joined, received = patient_cash(scope, f)
    patient = (
        select(day, money_sum(patient_payments.c.amount))
        .select_from(joined)
        .where(*received)
        .group_by(day)
    )
    out: dict[date, Decimal] = {}
    for on, amount in [*scope.rows(payer), *scope.rows(patient)]:
        key = on if isinstance(on, date) else date.fromisoformat(str(on))
        out[key] = out.get(key, Decimal("0.00")) + amount
    return out


def visits_by_day(scope: Scope, f: KpiFilters) -> dict[date, int]:
    """The period's visits per date of service, from the daily ``visit_rollup`` unless the
    filters name a therapist."""
    if f.therapist is not None:
        query = (
            select(visits.c.date_of_service, func.count())
            .where(*visit_conds(scope, f), visits.c.date_of_service.between(f.start, f.end))
            .group_by(visits.c.date_of_service)
        )
    else:
        vr = visit_rollup
        query = (
            select(vr.c.date_of_service, func.sum(vr.c.visits))
            .where(*visit_rollup_conds(scope, f), vr.c.date_of_service.between(f.start, f.end))
            .group_by(vr.c.date_of_service)
        )
    return {d: int(n) for d, n in scope.rows(query)}


@dataclass(frozen=True, slots=True)
class ProductivityRow:
    therapist: str
    visits: int
    units: int
    minutes: int


def productivity(scope: Scope, f: KpiFilters) -> list[ProductivityRow]:
    """Visits, billed units and documented minutes per therapist in the period."""
    name = func.coalesce(providers.c.name, providers.c.external_id)
    query = (
        select(
            name,
            func.count(func.distinct(visits.c.id)),
            func.coalesce(func.sum(visit_services.c.billed_units), 0),
            func.coalesce(func.sum(visit_services.c.minutes), 0),
        )
        .select_from(
            visits.join(providers, providers.c.id == visits.c.provider_id).outerjoin(
                visit_services, visit_services.c.visit_id == visits.c.id
            )
        )
        .where(*visit_conds(scope, f), visits.c.date_of_service.between(f.start, f.end))
        .group_by(name)
        .order_by(name)
    )
    return [ProductivityRow(str(t), int(v), int(u), int(m)) for t, v, u, m in scope.rows(query)]


def has_activity(scope: Scope) -> bool:
    """Whether the organization has any visit or claim stored."""
    for table in (visits, claims):
        query = select(table.c.id).where(table.c.org_id == scope.org_id).limit(1)
        if scope.rows(query):
            return True
    return False


def names(scope: Scope) -> tuple[list[str], list[str]]:
    """Location external ids and therapist NPIs of the organization."""
    places = scope.rows(
        select(locations.c.external_id)
        .where(locations.c.org_id == scope.org_id)
        .order_by(locations.c.external_id)
    )
    people = scope.rows(
        select(providers.c.npi)
        .where(providers.c.org_id == scope.org_id, providers.c.npi.is_not(None))
        .order_by(providers.c.npi)
    )
    return [str(p) for (p,) in places], [str(p) for (p,) in people]
