"""First adjudications per day (``adjudication_rollup``), kept with the claim facts.

The dashboard's first-pass, initial denial and net collection rates and its first-pass
trend read the claims first adjudicated in a period (``claims_kpis.first_adjudications``):
at a million claims a pass over some hundred thousand facts per period. The rollup holds,
per organization, day of first adjudication and payer, how many claims, how many passed
first time, how many were denied at it, and the sums those rates take (the first
adjudications' charges and denied amounts; the claims' payer-adjudicated plus patient
payments, charges and contractual adjustments), a few rows per day.

Kept like the rollups of ``ptrcm.store.fact_rollups`` and with the same parameters
(``org_id``, the claim ids as ``fact_rollups.ids_parameter``): ``refresh_claim_facts``
runs ``subtract_statements`` before rewriting the claims' facts and ``add_statements``
after (upserts of the signed sums; rows left with no claim deleted), and
``refresh_all_claim_facts`` runs ``rebuild_statements``. So the kept rows equal a rebuild.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

from ptrcm.store.fact_rollups import among, ids_parameter
from ptrcm.store.tables.facts import adjudication_rollup, claim_facts

Ids = BindParameter[Any] | None
COLUMNS = [c.name for c in adjudication_rollup.columns]
SUMS = tuple(COLUMNS[3:])


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((cond, 1), else_=0))


def rollup_query(org: BindParameter[Any], ids: Ids, sign: int = 1) -> Select[Any]:
    """The rollup rows of the organization's facts (of the claims ``ids`` only, when
    given), negated for ``sign`` -1 (never ``* sign``: a literal multiplied into a money
    column is bound as money)."""
    cf = claim_facts
    keys = [cf.c.org_id, cf.c.first_adjudicated_on, cf.c.payer_id]
    sums: list[ColumnElement[Any]] = [
        func.count(),
        _count_if(cf.c.first_pass.is_(True)),
        _count_if(cf.c.first_adj_denied.is_(True)),
        func.coalesce(func.sum(cf.c.first_adj_charge), 0),
        func.coalesce(func.sum(cf.c.first_adj_denied_amount), 0),
        func.sum(cf.c.payer_paid_adjudicated + cf.c.patient_paid),
        func.sum(cf.c.charge),
        func.sum(cf.c.contractual),
    ]
    # The day tested on each row, never by an index (as fact_rollups._row_test), and with
    # ``ids`` a test on last_dos, which no index carries: SQLite then looks the claims up by
    # primary key instead of scanning an index over the whole organization.
    where = [cf.c.org_id == org, case((cf.c.first_adjudicated_on.is_not(None), 1), else_=0) == 1]
    if ids is not None:
        where += [among(cf.c.claim_id, ids), cf.c.last_dos.is_not(None)]
    signed = [-total if sign < 0 else total for total in sums]
    return select(*keys, *signed).where(*where).group_by(*keys)


def _upsert(dialect: str, query: Select[Any]) -> Any:
    table = adjudication_rollup
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(table).from_select(COLUMNS, query)
    return statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: table.c[name] + statement.excluded[name] for name in SUMS},
    )


@cache
def subtract_statements(dialect: str) -> tuple[Executable, ...]:
    """Take the rows of the claims in ``ids`` (their facts as they are) out."""
    org: BindParameter[Any] = bindparam("org_id")
    return (_upsert(dialect, rollup_query(org, ids_parameter(dialect), -1)),)


@cache
def add_statements(dialect: str) -> tuple[Executable, ...]:
    """Put the rows of the claims in ``ids`` (their new facts) in; drop rows left empty."""
    org: BindParameter[Any] = bindparam("org_id")
    table = adjudication_rollup
    return (
        _upsert(dialect, rollup_query(org, ids_parameter(dialect))),
        delete(table).where(table.c.org_id == org, table.c.claims == 0),
    )


@cache
def rebuild_statements() -> tuple[Executable, ...]:
    """Delete and re-insert an organization's rows from its facts."""
    org: BindParameter[Any] = bindparam("org_id")
    table = adjudication_rollup
    return (
        delete(table).where(table.c.org_id == org),
        insert(table).from_select(COLUMNS, rollup_query(org, None)),
    )
