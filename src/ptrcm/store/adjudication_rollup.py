"""First adjudications per day (``adjudication_rollup``) and denial adjustments per
remittance day (``denial_rollup``), kept with the claim facts.

The dashboard's first-pass, initial denial and net collection rates and its first-pass
trend read the claims first adjudicated in a period (``claims_kpis.first_adjudications``):
at a million claims a pass over some hundred thousand facts per period. The rollup holds,
per organization, day of first adjudication and payer, how many claims, how many passed
first time, how many were denied at it, and the sums those rates take (the first
adjudications' charges and denied amounts; the claims' payer-adjudicated plus patient
payments, charges and contractual adjustments), a few rows per day. Denial reasons read
``denial_rollup``: the denial adjustments (``claim_fact_denials``) per remittance day,
payer, CARC and whether the claim is now closed (written off).

Kept like the rollups of ``ptrcm.store.fact_rollups`` and with the same parameters
(``org_id``, the claim ids as ``fact_rollups.ids_parameter``): ``refresh_claim_facts``
runs ``subtract_statements`` before rewriting the claims' facts and ``add_statements``
after (upserts of the signed sums; rows left with no claim deleted), and
``refresh_all_claim_facts`` runs ``rebuild_statements``. So the kept rows equal a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    Table,
    and_,
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
from ptrcm.store.tables.facts import (
    adjudication_rollup,
    claim_fact_denials,
    claim_facts,
    denial_rollup,
)

Ids = BindParameter[Any] | None
COLUMNS = [c.name for c in adjudication_rollup.columns]
SUMS = tuple(COLUMNS[3:])
DENIAL_SUMS = ("rows", "adjustments", "amount")


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
    # Grouped payer first: grouped by the day first, SQLite reads the ids' rows by scanning
    # the organization's first-adjudication index (1 s at 1 M claims) instead of by key.
    by = [cf.c.org_id, cf.c.payer_id, cf.c.first_adjudicated_on]
    return select(*keys, *signed).where(*where).group_by(*by)


def denials_query(org: BindParameter[Any], ids: Ids, sign: int = 1) -> Select[Any]:
    """The ``denial_rollup`` rows of the organization's ``claim_fact_denials`` (of the
    claims ``ids`` only, when given), under their claim's payer and whether it is closed."""
    d, cf = claim_fact_denials, claim_facts
    closed = case((cf.c.state == "closed", True), else_=False)
    keys = [d.c.org_id, d.c.payment_date, cf.c.payer_id, d.c.carc, closed]
    sums = [func.count(), func.sum(d.c.adjustments), func.sum(d.c.amount)]
    where = [d.c.org_id == org, case((d.c.payment_date.is_not(None), 1), else_=0) == 1]
    if ids is not None:  # by key: the ids' denial rows (0036's index), then their facts
        where += [among(d.c.claim_id, ids), cf.c.last_dos.is_not(None)]
    joined = d.join(cf, and_(cf.c.org_id == d.c.org_id, cf.c.claim_id == d.c.claim_id))
    signed = [-total if sign < 0 else total for total in sums]
    return select(*keys, *signed).select_from(joined).where(*where).group_by(*keys)


ROLLUPS: tuple[tuple[Table, Callable[..., Select[Any]], tuple[str, ...]], ...] = (
    (adjudication_rollup, rollup_query, SUMS),
    (denial_rollup, denials_query, DENIAL_SUMS),
)


def _upsert(dialect: str, table: Table, query: Select[Any], sums: tuple[str, ...]) -> Any:
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(table).from_select([c.name for c in table.columns], query)
    return statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: table.c[name] + statement.excluded[name] for name in sums},
    )


@cache
def subtract_statements(dialect: str) -> tuple[Executable, ...]:
    """Take the rows of the claims in ``ids`` (their facts as they are) out."""
    org: BindParameter[Any] = bindparam("org_id")
    ids = ids_parameter(dialect)
    return tuple(_upsert(dialect, t, query(org, ids, -1), sums) for t, query, sums in ROLLUPS)


@cache
def add_statements(dialect: str) -> tuple[Executable, ...]:
    """Put the rows of the claims in ``ids`` (their new facts) in; drop rows left empty."""
    org: BindParameter[Any] = bindparam("org_id")
    ids = ids_parameter(dialect)
    out: list[Executable] = [
        _upsert(dialect, t, query(org, ids), sums) for t, query, sums in ROLLUPS
    ]
    out += [delete(t).where(t.c.org_id == org, t.c[sums[0]] == 0) for t, _, sums in ROLLUPS]
    return tuple(out)


@cache
def rebuild_statements() -> tuple[Executable, ...]:
    """Delete and re-insert an organization's rows from its facts."""
    org: BindParameter[Any] = bindparam("org_id")
    out: list[Executable] = [delete(t).where(t.c.org_id == org) for t, _, _ in ROLLUPS]
    out += [
        insert(t).from_select([c.name for c in t.columns], query(org, None))
        for t, query, _ in ROLLUPS
    ]
    return tuple(out)
