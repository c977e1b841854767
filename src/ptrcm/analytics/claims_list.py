"""The claims list (and the visits list behind a visit count): filtered, sorted, paged.

Claims are read from ``claim_facts`` (the read model every claim KPI reads) joined to the
claim, patient, payer, location and therapist; ``ClaimFilter`` criteria become SQL
conditions, and a ``KpiSlice`` joins the KPI's own claim set (``drilldown.drill_set``), so
the list behind a dashboard figure holds exactly the claims the figure counts. Payer,
location and therapist meet claims as in the KPIs (``filters.fact_conds``). One query
reads the page, one the whole set's count and sums; the same SQL on SQLite and PostgreSQL,
ties broken by claim number so pages never overlap.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, exists, func, literal, or_, select

from ptrcm.analytics.drilldown import PartTotal, drill_set
from ptrcm.analytics.filters import KpiFilters, Scope, fact_conds, visits_in
from ptrcm.analytics.sql import money_sum
from ptrcm.domain.claim_lists import (
    AGE_BUCKETS,
    AGE_LIMITS,
    ClaimFilter,
    ClaimPage,
    ClaimRow,
    VisitPage,
    VisitRow,
)
from ptrcm.store.day_sql import day_diff
from ptrcm.store.tables import (
    claim_facts,
    claim_versions,
    claims,
    locations,
    patients,
    payers,
    providers,
    visits,
)

ZERO = Decimal("0.00")


def _narrowing(flt: ClaimFilter, today: date) -> KpiFilters:
    """The KPI filters a list narrows by: the slice's period, else any (dates unused)."""
    start, end = (flt.kpi.start, flt.kpi.end) if flt.kpi else (today, today)
    return KpiFilters(start, end, flt.payer_class, flt.payer, flt.location, flt.therapist)


def _age_conds(bucket: str, today: date) -> list[ColumnElement[bool]]:
    """First dates of service whose age in days on ``today`` falls in ``bucket``."""
    cf = claim_facts.c
    i = AGE_BUCKETS.index(bucket)
    conds = []
    if i < len(AGE_LIMITS):
        conds.append(cf.first_dos >= today - timedelta(days=AGE_LIMITS[i]))
    if i > 0:
        conds.append(cf.first_dos < today - timedelta(days=AGE_LIMITS[i - 1]))
    return conds


def _claim_number(text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    v = claim_versions.c
    return or_(
        claims.c.pcn.like(f"{escaped}%", escape="\\"),
        exists().where(v.org_id == claims.c.org_id, v.claim_id == claims.c.id,
                       v.payer_claim_number == text),
    )  # fmt: skip


def _conds(scope: Scope, flt: ClaimFilter, today: date) -> list[ColumnElement[bool]]:
    cf = claim_facts.c
    conds = fact_conds(scope, _narrowing(flt, today))
    if flt.states:
        conds.append(cf.state.in_(flt.states))
    if flt.patient is not None:
        conds.append(patients.c.external_id == flt.patient)
    if flt.claim is not None:
        conds.append(_claim_number(flt.claim))
    if flt.dos_from is not None:
        conds.append(cf.first_dos >= flt.dos_from)
    if flt.dos_to is not None:
        conds.append(cf.first_dos <= flt.dos_to)
    if flt.min_charge is not None:
        conds.append(cf.charge >= flt.min_charge)
    if flt.max_charge is not None:
        conds.append(cf.charge <= flt.max_charge)
    if flt.age is not None:
        conds += _age_conds(flt.age, today)
    return conds


def _source(scope: Scope, flt: ClaimFilter, today: date) -> tuple[FromClause, Any, Any]:
    """The joined tables, and the measure and weight columns (charge and 1 without a
    slice)."""
    cf = claim_facts.c
    joined: FromClause = (
        claim_facts.join(claims, and_(claims.c.org_id == cf.org_id, claims.c.id == cf.claim_id))
        .join(patients, patients.c.id == cf.patient_id)
        .join(payers, payers.c.id == cf.payer_id)
        .outerjoin(locations, locations.c.id == cf.location_id)
        .outerjoin(providers, providers.c.id == cf.provider_id)
    )
    if flt.kpi is None:
        return joined, cf.charge, literal(1)
    drill = drill_set(scope, flt.kpi, _narrowing(flt, today))
    return joined.join(drill, drill.c.claim_id == cf.claim_id), drill.c.measure, drill.c.weight


def _order(flt: ClaimFilter, measure: Any) -> list[Any]:
    cf = claim_facts.c
    columns: dict[str, list[Any]] = {
        "claim": [claims.c.pcn], "dos": [cf.first_dos], "payer": [payers.c.external_id],
        "patient": [patients.c.last_key, patients.c.first_key], "state": [cf.state],
        "charge": [cf.charge], "balance": [cf.balance], "measure": [measure],
        "age": [cf.first_dos],
    }  # fmt: skip
    descending = flt.descending != (flt.sort == "age")  # the oldest claim has the greatest age
    chosen = [c.desc() if descending else c.asc() for c in columns[flt.sort]]
    return [*(c.nulls_last() for c in chosen), claims.c.pcn.asc()]


def list_claims(scope: Scope, flt: ClaimFilter, today: date) -> ClaimPage:
    """One page of the claims meeting ``flt`` (ages counted to ``today``), and the whole
    set's count, charge, balance and, under a KPI slice, measure and weight summed."""
    cf = claim_facts.c
    joined, measure, weight = _source(scope, flt, today)
    conds = _conds(scope, flt, today)
    totals = select(
        func.count(), money_sum(cf.charge), money_sum(cf.balance), money_sum(measure),
        func.coalesce(func.sum(weight), 0),
    ).select_from(joined).where(*conds)  # fmt: skip
    total, charge, balance, measured, weighed = scope.one(totals)
    name = func.coalesce(
        patients.c.last_name + ", " + patients.c.first_name,
        patients.c.last_name,
        patients.c.first_name,
        patients.c.external_id,
    )
    therapist = func.coalesce(providers.c.name, providers.c.npi)
    query = (
        select(
            claims.c.pcn, patients.c.external_id, name, payers.c.external_id, cf.payer_class,
            cf.state, cf.first_dos, cf.last_dos, cf.charge, cf.payer_paid + cf.patient_paid,
            cf.balance, day_diff(literal(today), cf.first_dos), locations.c.external_id,
            therapist, measure, weight,
        )
        .select_from(joined)
        .where(*conds)
        .order_by(*_order(flt, measure))
        .offset(flt.offset)
        .limit(flt.size)
    )  # fmt: skip
    sliced = flt.kpi is not None
    rows = tuple(
        ClaimRow(
            str(pcn), str(mrn), str(who), str(payer), cls, str(state), first, last,
            Decimal(charge), Decimal(paid), Decimal(bal), int(age), loc, ther,
            Decimal(m) if sliced else None, int(w) if sliced else 1,
        )
        for (pcn, mrn, who, payer, cls, state, first, last, charge, paid, bal, age, loc, ther,
             m, w) in scope.rows(query)
    )  # fmt: skip
    return ClaimPage(
        rows, int(total), Decimal(charge), Decimal(balance),
        Decimal(measured) if sliced else Decimal(charge), int(weighed) if sliced else int(total),
        flt.page, flt.size,
    )  # fmt: skip


def list_visits(scope: Scope, flt: ClaimFilter) -> VisitPage:
    """The visits a visit count counts (``flt.kpi``: a slice listing visits; its period
    and the filter's payer, location and therapist), by date of service."""
    if flt.kpi is None:
        raise ValueError("a visits list needs the KPI slice that counts them")
    f = KpiFilters(flt.kpi.start, flt.kpi.end, flt.payer_class, flt.payer, flt.location,
                   flt.therapist)  # fmt: skip
    v = visits.c
    conds = visits_in(scope, f)
    if flt.patient is not None:
        conds.append(patients.c.external_id == flt.patient)
    joined = (
        visits.join(patients, patients.c.id == v.patient_id)
        .join(payers, payers.c.id == v.payer_id)
        .outerjoin(locations, locations.c.id == v.location_id)
        .outerjoin(providers, providers.c.id == v.provider_id)
    )
    total = int(scope.one(select(func.count()).select_from(joined).where(*conds))[0])
    name = func.coalesce(
        patients.c.last_name + ", " + patients.c.first_name,
        patients.c.last_name,
        patients.c.first_name,
        patients.c.external_id,
    )
    order = v.date_of_service.desc() if flt.descending else v.date_of_service.asc()
    query = (
        select(v.external_id, patients.c.external_id, name, v.date_of_service,
               payers.c.external_id, locations.c.external_id,
               func.coalesce(providers.c.name, providers.c.npi), v.discipline)
        .select_from(joined)
        .where(*conds)
        .order_by(order, v.external_id)
        .offset(flt.offset)
        .limit(flt.size)
    )  # fmt: skip
    rows = tuple(
        VisitRow(str(ext), str(mrn), str(who), dos, str(payer), loc, ther, str(disc))
        for ext, mrn, who, dos, payer, loc, ther, disc in scope.rows(query)
    )
    return VisitPage(rows, total, flt.page, flt.size)


def kpi_parts(scope: Scope, filters: dict[str, ClaimFilter], today: date) -> dict[str, PartTotal]:
    """The totals of each list of ``filters`` (``claim_lists.drilldown``): the inputs of
    ``drilldown.figure``, the dashboard's number rebuilt from the lists behind it."""
    out: dict[str, PartTotal] = {}
    for name, flt in filters.items():
        if flt.kpi is not None and flt.kpi.lists == "visits":
            seen = list_visits(scope, flt)
            out[name] = PartTotal(seen.total, seen.total, Decimal(seen.total))
        else:
            page = list_claims(scope, flt, today)
            out[name] = PartTotal(page.total, page.weight, page.measure)
    return out
