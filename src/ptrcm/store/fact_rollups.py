"""Daily rollups of the claim facts: A/R, net revenue, charge and submission lag.

A/R (``ar_rollup_charges``, ``ar_rollup_reductions``): a claim is in A/R on day D when
its first DOS is on or before D and D is before its ``gone_on`` day: 9999-12-31 while it
is open (submitted, accepted, partially paid, denied, appealed), the UTC day of its last
move to paid or closed when it is settled, and its first DOS (never) otherwise. Its
balance on D is its charge less the reductions (``claim_fact_payments``) dated on or
before D. So the aging of any day is two small grouped reads of the charges of the claims
not voided or replaced and of every claim's dated reductions, by payer, payer class,
first DOS and ``gone_on``, instead of a pass over the facts of every candidate claim
(``ptrcm.analytics.ar``). Net revenue (``revenue_rollup``): the payer and patient payments
(times the visits on the first DOS) of the claims with one location on their first DOS,
by payer, location and first DOS. Lags (``lag_rollup``): claims per UTC day built or first
submitted, payer and lag in days.

Kept with the facts, in the same transaction: ``refresh_claim_facts`` subtracts the
rollup rows of the claims' old facts before rewriting them and adds those of the new ones
after (``subtract_statements`` / ``add_statements``: upserts that add the signed sums);
``refresh_all_claim_facts`` (``ptrcm db refresh-facts``) rebuilds an organization's rows.
Rows whose claims all moved elsewhere are deleted, so a rebuild and the kept rows agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    ColumnElement,
    Date,
    Executable,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

from ptrcm.domain.lifecycle import OPEN_AR
from ptrcm.store.day_sql import day_diff, utc_day
from ptrcm.store.tables.facts import (
    ar_rollup_charges,
    ar_rollup_reductions,
    claim_fact_payments,
    claim_facts,
    lag_rollup,
    revenue_rollup,
)

OPEN = date(9999, 12, 31)  # gone_on of a claim still open
SETTLED = ("paid", "closed")
NOT_BILLED_AT_ALL = ("voided", "corrected")  # not in the charges behind days in A/R

Ids = BindParameter[Any] | None


def gone_on(cf: Any = claim_facts) -> ColumnElement[Any]:
    """The first day the claim of a ``claim_facts`` row is not in A/R (see the module)."""
    settled = and_(cf.c.state.in_(SETTLED), cf.c.settled_at.is_not(None))
    return case(
        (cf.c.state.in_(sorted(OPEN_AR)), literal(OPEN, Date())),
        (settled, utc_day(cf.c.settled_at)),
        else_=cf.c.first_dos,
    )


def _keys() -> list[ColumnElement[Any]]:
    cf = claim_facts
    return [
        cf.c.org_id,
        cf.c.payer_id,
        func.coalesce(cf.c.payer_class, "unknown"),
        cf.c.first_dos,
        gone_on(),
    ]


def _by_primary_key() -> ColumnElement[bool]:
    """With ``ids``: a test on ``last_dos``, which no index of ``claim_facts`` carries (it
    is never NULL, so the test is always true). Without it SQLite answers the ids' query
    from a covering index scanned over the whole organization (0.4 s at 1 M claims, per
    statement) instead of looking the ids up by primary key (milliseconds)."""
    return claim_facts.c.last_dos.is_not(None)


def _row_test(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """``cond`` tested on each row found, never by an index: with ``ids``, SQLite would
    otherwise range-scan an index the condition matches (first submitted, location) over
    the whole organization instead of looking the ids up by primary key (seconds, not
    milliseconds, at 1 M claims)."""
    return case((cond, 1), else_=0) == 1


def _signed(sign: int, *sums: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """The sums, negated for ``sign`` -1 (never ``* sign``: a literal multiplied into a
    money column is bound as money, 1 as 100 cents on SQLite)."""
    return [-total if sign < 0 else total for total in sums]


def charges_query(org: BindParameter[Any], ids: Ids, sign: int = 1) -> Select[Any]:
    """``ar_rollup_charges`` rows of the organization's facts (or of ``ids``), times ``sign``."""
    cf = claim_facts
    keys = _keys()
    where = [cf.c.org_id == org, _row_test(cf.c.state.not_in(NOT_BILLED_AT_ALL))]
    if ids is not None:
        where += [among(cf.c.claim_id, ids), _by_primary_key()]
    return (
        select(*keys, *_signed(sign, func.count(), func.sum(cf.c.charge)))
        .where(*where)
        .group_by(*keys)
    )


def reductions_query(org: BindParameter[Any], ids: Ids, sign: int = 1) -> Select[Any]:
    """``ar_rollup_reductions`` rows: the dated ``claim_fact_payments`` under their claim's keys."""
    cf, fp = claim_facts, claim_fact_payments
    keys = [*_keys(), fp.c.payment_date]
    where = [cf.c.org_id == org, fp.c.payment_date.is_not(None)]
    if ids is not None:  # on both sides: PostgreSQL reads only the claims' facts
        where += [among(fp.c.claim_id, ids), among(cf.c.claim_id, ids)]
    joined = fp.join(cf, and_(cf.c.org_id == fp.c.org_id, cf.c.claim_id == fp.c.claim_id))
    return (
        select(*keys, *_signed(sign, func.count(), func.sum(fp.c.reductions)))
        .select_from(joined)
        .where(*where)
        .group_by(*keys)
    )


def revenue_query(org: BindParameter[Any], ids: Ids, sign: int = 1) -> Select[Any]:
    """``revenue_rollup`` rows: the payer and patient payments of the claims not voided or
    replaced with visits on their first DOS, all at one location, once per such visit."""
    cf = claim_facts
    keys = [cf.c.org_id, cf.c.payer_id, cf.c.location_id, cf.c.first_dos]
    where = [
        cf.c.org_id == org,
        _row_test(
            and_(
                cf.c.state.not_in(NOT_BILLED_AT_ALL),
                cf.c.revenue_visits > 0,
                cf.c.location_id.is_not(None),
            )
        ),
    ]
    if ids is not None:
        where += [among(cf.c.claim_id, ids), _by_primary_key()]
    paid = (cf.c.payer_paid + cf.c.patient_paid) * cf.c.revenue_visits
    return select(*keys, *_signed(sign, func.count(), func.sum(paid))).where(*where).group_by(*keys)


def _lag_query(measure: str) -> Callable[..., Select[Any]]:
    cf = claim_facts
    if measure == "charge":
        day: ColumnElement[Any] = utc_day(cf.c.built_at)
        lag = day_diff(day, cf.c.first_dos)
        dated: list[ColumnElement[bool]] = []
    else:
        day = utc_day(cf.c.first_submitted_at)
        lag = day_diff(day, utc_day(cf.c.built_at))
        dated = [_row_test(cf.c.first_submitted_at.is_not(None))]

    def query(org: BindParameter[Any], ids: Ids, sign: int = 1) -> Select[Any]:
        """``lag_rollup`` rows of one measure: claims per UTC day and lag in days."""
        keys = [cf.c.org_id, literal(measure), day, cf.c.payer_id, lag]
        where = [cf.c.org_id == org, *dated]
        if ids is not None:
            where += [among(cf.c.claim_id, ids), _by_primary_key()]
        return select(*keys, *_signed(sign, func.count())).where(*where).group_by(*keys)

    return query


TABLES: tuple[tuple[Table, Callable[..., Select[Any]], tuple[str, ...]], ...] = (
    (ar_rollup_charges, charges_query, ("claims", "charge")),
    (ar_rollup_reductions, reductions_query, ("payments", "reductions")),
    (revenue_rollup, revenue_query, ("claims", "revenue")),
    (lag_rollup, _lag_query("charge"), ("claims",)),
    (lag_rollup, _lag_query("submission"), ("claims",)),
)


def _upsert(dialect: str, table: Table, query: Select[Any], sums: tuple[str, ...]) -> Any:
    """Add the query's signed counts and sums into ``table`` (insert the new keys)."""
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(table).from_select([c.name for c in table.columns], query)
    key = [c.name for c in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=key,
        set_={name: table.c[name] + statement.excluded[name] for name in sums},
    )


def among(column: ColumnElement[Any], ids: Sequence[int] | BindParameter[Any]) -> Any:
    """``column IN ids``. With the parameter of ``ids_parameter``: ``column = ANY(:ids)``
    on PostgreSQL, ``column IN (SELECT value FROM json_each(:ids))`` on SQLite."""
    if isinstance(ids, BindParameter) and isinstance(ids.type, ARRAY):
        return column == any_(ids)
    if isinstance(ids, BindParameter) and isinstance(ids.type, JSON):
        return column.in_(select(func.json_each(ids).table_valued("value").c.value))
    return column.in_(ids)


def ids_parameter(dialect: str) -> BindParameter[Any]:
    """The claim ids of a refresh, bound once whatever their number: one BIGINT[] on
    PostgreSQL, one JSON array read with ``json_each`` on SQLite. A list of placeholders
    (an expanding ``IN``) costs more to render, send and parse than the statement takes
    to run, once per list in each statement (twelve in the facts query)."""
    if dialect == "postgresql":
        return bindparam("ids", type_=ARRAY(BigInteger))
    return bindparam("ids", type_=JSON())


@cache
def subtract_statements(dialect: str) -> tuple[Executable, ...]:
    """Take the rollup rows of the claims in ``ids`` (their facts as they are) out."""
    org: BindParameter[Any] = bindparam("org_id")
    ids = ids_parameter(dialect)
    return tuple(
        _upsert(dialect, table, query(org, ids, -1), sums) for table, query, sums in TABLES
    )


@cache
def add_statements(dialect: str) -> tuple[Executable, ...]:
    """Put the rollup rows of the claims in ``ids`` (their new facts) in, and drop the rows
    left with no claim or payment."""
    org: BindParameter[Any] = bindparam("org_id")
    ids = ids_parameter(dialect)
    out: list[Executable] = [
        _upsert(dialect, table, query(org, ids), sums) for table, query, sums in TABLES
    ]
    out += [
        delete(table).where(table.c.org_id == org, table.c[sums[0]] == 0)
        for table, _query, sums in TABLES
    ]
    return tuple(out)


@cache
def rebuild_statements() -> tuple[Executable, ...]:
    """Delete and re-insert an organization's rollup rows from its facts."""
    org: BindParameter[Any] = bindparam("org_id")
    tables = dict.fromkeys(table for table, *_ in TABLES)
    out: list[Executable] = [delete(table).where(table.c.org_id == org) for table in tables]
    out += [
        insert(table).from_select([c.name for c in table.columns], query(org, None))
        for table, query, *_ in TABLES
    ]
    return tuple(out)
