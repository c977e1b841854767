"""What a KPI is computed over: a date range and optional payer class, payer, location and
therapist, for one organization (tenant).

How each record meets the filters (docs/kpis.md, "Filters"):

* claims: payer and payer class through the claim's payer; location and therapist through
  the claim's visit — a visit of the same patient and payer whose date of service falls
  within the claim's service dates (claims do not name their visit relationally);
* visits: their own payer, location and rendering therapist;
* appointments: their own location and therapist; appointments carry no payer, so the
  payer filters do not narrow them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Executable, FromClause, Select, and_, exists, select
from sqlalchemy.engine import Connection

from ptrcm.errors import InvariantError
from ptrcm.store.tables import (
    claim_facts,
    claims,
    locations,
    payers,
    providers,
    visit_rollup,
    visits,
)


@dataclass(frozen=True, slots=True)
class KpiFilters:
    """An inclusive date range and the optional narrowing filters (external ids, NPI)."""

    start: date
    end: date
    payer_class: str | None = None
    payer: str | None = None
    location: str | None = None
    therapist: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvariantError("a KPI period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "payer_class": self.payer_class,
            "payer": self.payer,
            "location": self.location,
            "therapist": self.therapist,
        }


@dataclass(frozen=True, slots=True)
class Scope:
    """One organization's connection: every KPI query starts from here."""

    conn: Connection
    org_id: int

    def rows(self, query: Executable) -> list[Any]:
        return list(self.conn.execute(query))

    def one(self, query: Executable) -> Any:
        return self.conn.execute(query).one()


def _payer_ids(org_id: int, f: KpiFilters) -> Select[Any] | None:
    conds = [payers.c.org_id == org_id]
    if f.payer is not None:
        conds.append(payers.c.external_id == f.payer)
    if f.payer_class is not None:
        conds.append(payers.c.payer_class == f.payer_class)
    if len(conds) == 1:
        return None
    return select(payers.c.id).where(*conds)


def _visit_place_conds(org_id: int, f: KpiFilters, table: FromClause) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.location is not None:
        conds.append(
            table.c.location_id.in_(
                select(locations.c.id).where(
                    locations.c.org_id == org_id, locations.c.external_id == f.location
                )
            )
        )
    if f.therapist is not None:
        conds.append(
            table.c.provider_id.in_(
                select(providers.c.id).where(
                    providers.c.org_id == org_id, providers.c.npi == f.therapist
                )
            )
        )
    return conds


def claim_conds(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``claims`` rows of the organization that meet the filters (not the dates)."""
    conds: list[ColumnElement[bool]] = [claims.c.org_id == scope.org_id]
    payer_ids = _payer_ids(scope.org_id, f)
    if payer_ids is not None:
        conds.append(claims.c.payer_id.in_(payer_ids))
    seen = visits.alias("claim_visit")
    place = _visit_place_conds(scope.org_id, f, seen)
    if place:
        conds.append(
            exists().where(
                seen.c.org_id == claims.c.org_id,
                seen.c.patient_id == claims.c.patient_id,
                seen.c.payer_id == claims.c.payer_id,
                seen.c.date_of_service.between(
                    claims.c.first_date_of_service, claims.c.last_date_of_service
                ),
                and_(*place),
            )
        )
    return conds


def has_place(f: KpiFilters) -> bool:
    """Whether ``f`` narrows by location or therapist (matched through visits)."""
    return f.location is not None or f.therapist is not None


def narrows_claims(f: KpiFilters) -> bool:
    """Whether ``f`` narrows claims at all (payer, payer class, location or therapist)."""
    return f.payer is not None or f.payer_class is not None or has_place(f)


def fact_conds(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``claim_facts`` rows of the organization whose claims meet the filters (not the
    dates): the same payer test and visit match as ``claim_conds``, on the facts' copy of
    the claim's patient, payer and service dates."""
    cf = claim_facts
    conds: list[ColumnElement[bool]] = [cf.c.org_id == scope.org_id]
    payer_ids = _payer_ids(scope.org_id, f)
    if payer_ids is not None:
        conds.append(cf.c.payer_id.in_(payer_ids))
    seen = visits.alias("fact_visit")
    place = _visit_place_conds(scope.org_id, f, seen)
    if place:
        conds.append(
            exists().where(
                seen.c.org_id == cf.c.org_id,
                seen.c.patient_id == cf.c.patient_id,
                seen.c.payer_id == cf.c.payer_id,
                seen.c.date_of_service.between(cf.c.first_dos, cf.c.last_dos),
                and_(*place),
            )
        )
    return conds


def rollup_conds(scope: Scope, f: KpiFilters, table: FromClause) -> list[ColumnElement[bool]]:
    """Rows of a rollup keyed by organization and payer (``ar_rollup_*``) that meet the
    payer and payer class filters. A rollup keeps no visit, so it cannot answer location
    or therapist filters: callers read the facts for those (``has_place``)."""
    if has_place(f):
        raise InvariantError("a rollup by payer cannot meet a location or therapist filter")
    conds: list[ColumnElement[bool]] = [table.c.org_id == scope.org_id]
    payer_ids = _payer_ids(scope.org_id, f)
    if payer_ids is not None:
        conds.append(table.c.payer_id.in_(payer_ids))
    return conds


def visit_conds(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``visits`` rows of the organization that meet the filters (not the dates)."""
    conds: list[ColumnElement[bool]] = [visits.c.org_id == scope.org_id]
    payer_ids = _payer_ids(scope.org_id, f)
    if payer_ids is not None:
        conds.append(visits.c.payer_id.in_(payer_ids))
    return conds + _visit_place_conds(scope.org_id, f, visits)


def visit_rollup_conds(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``visit_rollup`` rows of the organization that meet the payer, payer class and
    location filters (``visit_conds`` on the daily counts). The rollup keeps no therapist:
    callers count the visits themselves for that filter."""
    if f.therapist is not None:
        raise InvariantError("the visit rollup cannot meet a therapist filter")
    vr = visit_rollup
    conds: list[ColumnElement[bool]] = [vr.c.org_id == scope.org_id]
    payer_ids = _payer_ids(scope.org_id, f)
    if payer_ids is not None:
        conds.append(vr.c.payer_id.in_(payer_ids))
    return conds + _visit_place_conds(scope.org_id, f, vr)


def visits_in(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``visits`` of the organization that meet the filters, dated in the period: the
    visits the dashboard counts."""
    return [*visit_conds(scope, f), visits.c.date_of_service.between(f.start, f.end)]


def appointment_conds(scope: Scope, f: KpiFilters, table: FromClause) -> list[ColumnElement[bool]]:
    """``appointments`` rows of the organization at the location / with the therapist."""
    return [table.c.org_id == scope.org_id, *_visit_place_conds(scope.org_id, f, table)]
