"""Per-claim facts (``claim_facts``, ``claim_fact_denials``, ``claim_fact_payments``),
computed from a claim's rows.

``facts_query`` is the one definition of a claim's facts: a SELECT over the claim, its
payer, the visits on its first date of service, its scrub runs, first version, state
transitions, appeals, claim payments with their remittances and adjustments, and patient
payments, each aggregated per claim. ``refresh_claim_facts`` rewrites the rows of the given claims
with it inside the caller's transaction: the unit of work calls it just before committing,
for the claims its repositories wrote (``OrgScoped.touch_claims``).
``refresh_all_claim_facts`` rebuilds an organization in one set-based statement (``ptrcm db
refresh-facts``, the benchmark builder). Both keep the daily rollups of the facts
(``ptrcm.store.fact_rollups``) in step, in the same transaction. Facts are derived data:
deleting and recomputing them never changes a KPI definition (docs/kpis.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter

from ptrcm.domain.denials import STATUS_DENIED
from ptrcm.store import adjudication_rollup, fact_rollups
from ptrcm.store.adjustment_conditions import is_contractual, is_denial, reduces_payer_balance
from ptrcm.store.day_sql import least, utc_day
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import (
    adjustments,
    appeals,
    claim_payments,
    claim_transitions,
    claim_versions,
    claims,
    patient_payments,
    payers,
    remittance_transactions,
    scrub_runs,
    visits,
)
from ptrcm.store.tables.facts import claim_fact_denials, claim_fact_payments, claim_facts

# The tables a refresh of some claims reads by claim id and writes. Kept analyzed as they
# grow (``keep_statistics``): without statistics PostgreSQL looks the ids up by reading the
# organization's whole table (or any small index that starts with ``org_id``) — claim
# transitions, scrub runs, the facts rows it deletes — once per chunk of claims.
READ_BY_CLAIM = (
    adjustments,  # by claim payment
    claims,
    claim_versions,
    claim_transitions,
    scrub_runs,
    claim_payments,
    claim_facts,
    claim_fact_denials,
    claim_fact_payments,
)

# The statements are built once with bound parameters (building them is most of the cost
# of refreshing a few claims) and executed with {"org_id": ..., "ids": [...]}.
Org = int | BindParameter[Any]
Ids = Sequence[int] | BindParameter[Any] | None

ADJUDICATED = ("1", "2", "3", "4")
NET_OF_REVERSALS = (*ADJUDICATED, "22")
SETTLED = ("paid", "closed")
FOLLOW_UP_STATES = ("appealed", "corrected", "voided")  # a denial followed up by a move
CHUNK = 5000  # claims per refresh statement on SQLite (bigger chunks save little more)
# PostgreSQL's planner cost of reading a page out of order, for the refresh's statements
# only (restored after). The rows a refresh reads are those just written for the claims and
# their payments, already in memory; at the default (4, a disk's seek) PostgreSQL reads
# the organization's whole adjustments, claim payments and facts, hashing them, rather
# than look 1% of them up by index, so each refresh cost grew with the organization.
RANDOM_PAGE_COST = 1.1
_RANDOM_PAGE_COST = text("SELECT current_setting('random_page_cost')")
_SET_RANDOM_PAGE_COST = text("SELECT set_config('random_page_cost', :cost, true)")
# On PostgreSQL the ids are one array parameter: no list of placeholders to render and
# parse per statement, so one chunk holds any week's claims.
PG_CHUNK = 20_000


def _sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expr), 0)


def _when(cond: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((cond, value), else_=0)


_among = fact_rollups.among


def _only(column: ColumnElement[Any], ids: Ids) -> list[ColumnElement[bool]]:
    return [] if ids is None else [_among(column, ids)]


def _of_claims(column: ColumnElement[Any], ids: Ids) -> list[ColumnElement[bool]]:
    """Rows naming a claim (or one of ``ids``). With ids, the ``IN`` alone: SQLite would
    otherwise read ``claim_id IS NOT NULL`` as a range over the whole organization's rows
    instead of looking the ids up."""
    return [column.is_not(None)] if ids is None else [_among(column, ids)]


def _paid_under(org_id: Org, ids: Ids) -> list[ColumnElement[bool]]:
    """Adjustments of the claim payments of ``ids`` (none when all claims are wanted): the
    lookup goes claim -> claim payments -> adjustments by index, never over every
    adjustment of the organization."""
    if ids is None:
        return []
    cp = claim_payments
    mine = select(cp.c.id).where(cp.c.org_id == org_id, _among(cp.c.claim_id, ids))
    return [adjustments.c.claim_payment_id.in_(mine)]


def _payment_of(alias: Any, org_id: Org, ids: Ids) -> list[ColumnElement[bool]]:
    """With ``ids``, join terms holding a claim payment found by id (the first adjudicated
    or denied one of a claim) to the claims' payments: always true of the row found, they
    let PostgreSQL read only those payments instead of hashing the organization's."""
    return [] if ids is None else [alias.c.org_id == org_id, _among(alias.c.claim_id, ids)]


def _by_payment(org_id: Org, ids: Ids, name: str) -> Any:
    """Per claim payment: its denial, A/R-reducing, contractual and patient-share amounts."""
    a = adjustments
    return (
        select(
            a.c.claim_payment_id.label("cp_id"),
            _sum(_when(is_denial(), a.c.amount)).label("denied"),
            _sum(case((is_denial(), 1), else_=0)).label("denials"),
            _sum(_when(reduces_payer_balance(), a.c.amount)).label("reducing"),
            _sum(_when(is_contractual(), a.c.amount)).label("contractual"),
            _sum(_when(a.c.group_code == "PR", a.c.amount)).label("patient_share"),
        )
        .where(a.c.org_id == org_id, *_paid_under(org_id, ids))
        .group_by(a.c.claim_payment_id)
        .subquery(name)
    )


def facts_query(org_id: Org, ids: Ids = None) -> Select[Any]:
    """The ``claim_facts`` rows of the organization's claims (or of ``ids``), in column order."""
    cp, t = claim_payments, remittance_transactions
    adj = _by_payment(org_id, ids, "adj")
    dated = t.c.payment_date.is_not(None)
    denied_here = or_(cp.c.status_code == STATUS_DENIED, func.coalesce(adj.c.denials, 0) > 0)
    pay = (
        select(
            cp.c.claim_id,
            _sum(cp.c.paid_amount).label("paid"),
            _sum(_when(cp.c.status_code.in_(NET_OF_REVERSALS), cp.c.paid_amount)).label("net"),
            _sum(func.coalesce(adj.c.contractual, 0)).label("contractual"),
            _sum(func.coalesce(adj.c.patient_share, 0)).label("patient_share"),
            _sum(func.coalesce(adj.c.denied, 0)).label("denied"),
            _sum(_when(dated, cp.c.paid_amount + func.coalesce(adj.c.reducing, 0))).label(
                "reductions"
            ),
            func.min(t.c.payment_date).label("first_on"),
            func.max(t.c.payment_date).label("last_on"),
            func.min(case((cp.c.status_code.in_(ADJUDICATED), cp.c.id))).label("first_cp"),
            func.min(case((denied_here, cp.c.id))).label("denied_cp"),
        )
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).outerjoin(adj, adj.c.cp_id == cp.c.id)
        )
        .where(cp.c.org_id == org_id, *_of_claims(cp.c.claim_id, ids))
        .group_by(cp.c.claim_id)
        .subquery("pay")
    )
    first_cp, first_t = cp.alias("first_cp"), t.alias("first_t")
    denied_cp, denied_t = cp.alias("denied_cp"), t.alias("denied_t")
    first_adj = _by_payment(org_id, ids, "first_adj")
    scrub = (
        select(
            scrub_runs.c.claim_id,
            func.min(scrub_runs.c.scrubbed_at).label("at"),
            func.min(scrub_runs.c.errors).label("errors"),
        )
        .where(scrub_runs.c.org_id == org_id, scrub_runs.c.run_number == 1)
        .where(*_only(scrub_runs.c.claim_id, ids))
        .group_by(scrub_runs.c.claim_id)
        .subquery("scrub")
    )
    cv = claim_versions
    sent = (
        select(cv.c.claim_id, func.min(cv.c.submitted_at).label("at"))
        .where(cv.c.org_id == org_id, cv.c.version_number == 1, *_only(cv.c.claim_id, ids))
        .group_by(cv.c.claim_id)
        .subquery("sent")
    )
    ct = claim_transitions
    moves = (
        select(
            ct.c.claim_id,
            func.max(case((ct.c.to_state.in_(SETTLED), ct.c.occurred_at))).label("settled"),
            func.max(case((ct.c.to_state == "closed", ct.c.occurred_at))).label("closed"),
            func.max(case((ct.c.to_state == "rejected", 1), else_=0)).label("rejected"),
            func.min(case((ct.c.to_state.in_(FOLLOW_UP_STATES), utc_day(ct.c.occurred_at)))).label(
                "followed"
            ),
        )
        .where(ct.c.org_id == org_id, *_only(ct.c.claim_id, ids))
        .group_by(ct.c.claim_id)
        .subquery("moves")
    )
    appealed = (
        select(appeals.c.claim_id, func.min(appeals.c.submitted_on).label("sent"))
        .where(appeals.c.org_id == org_id, *_only(appeals.c.claim_id, ids))
        .group_by(appeals.c.claim_id)
        .subquery("appealed")
    )
    pp = patient_payments
    patient = (
        select(pp.c.claim_id, _sum(pp.c.amount).label("paid"))
        .where(pp.c.org_id == org_id, *_of_claims(pp.c.claim_id, ids))
        .group_by(pp.c.claim_id)
        .subquery("patient")
    )
    matched = claims.alias("matched")
    seen = (
        select(
            matched.c.id.label("claim_id"),
            func.count(visits.c.id).label("visits"),
            func.min(visits.c.location_id).label("loc_lo"),
            func.max(visits.c.location_id).label("loc_hi"),
            func.min(visits.c.provider_id).label("prov_lo"),
            func.max(visits.c.provider_id).label("prov_hi"),
        )
        .select_from(
            matched.join(
                visits,
                and_(
                    visits.c.org_id == matched.c.org_id,
                    visits.c.patient_id == matched.c.patient_id,
                    visits.c.payer_id == matched.c.payer_id,
                    visits.c.date_of_service == matched.c.first_date_of_service,
                ),
            )
        )
        .where(matched.c.org_id == org_id, *_only(matched.c.id, ids))
        .group_by(matched.c.id)
        .subquery("seen")
    )
    denied = or_(first_cp.c.status_code == "4", func.coalesce(first_adj.c.denials, 0) > 0)
    rejected = func.coalesce(moves.c.rejected, 0) == 1
    first_pass = case(
        (first_cp.c.id.is_(None), None),
        else_=and_(~denied, claims.c.current_version == 1, ~rejected),
    )
    reductions = func.coalesce(pay.c.reductions, 0)
    return (
        select(
            claims.c.org_id,
            claims.c.id,
            claims.c.patient_id,
            claims.c.payer_id,
            payers.c.payer_class,
            case((seen.c.loc_lo == seen.c.loc_hi, seen.c.loc_lo)),
            case((seen.c.prov_lo == seen.c.prov_hi, seen.c.prov_lo)),
            func.coalesce(seen.c.visits, 0),
            claims.c.state,
            claims.c.current_version,
            claims.c.first_date_of_service,
            claims.c.last_date_of_service,
            claims.c.created_at,
            scrub.c.at,
            scrub.c.errors == 0,
            sent.c.at,
            first_t.c.payment_date,
            first_cp.c.status_code,
            first_cp.c.charge_amount,
            case((first_cp.c.id.is_(None), None), else_=func.coalesce(first_adj.c.denied, 0)),
            case((first_cp.c.id.is_(None), None), else_=denied),
            rejected,
            first_pass,
            moves.c.settled,
            moves.c.closed,
            claims.c.total_charge,
            func.coalesce(pay.c.paid, 0),
            func.coalesce(pay.c.net, 0),
            func.coalesce(patient.c.paid, 0),
            func.coalesce(pay.c.patient_share, 0),
            func.coalesce(pay.c.contractual, 0),
            func.coalesce(pay.c.denied, 0),
            reductions,
            pay.c.first_on,
            pay.c.last_on,
            claims.c.total_charge - reductions,
            denied_t.c.payment_date,
            least(appealed.c.sent, moves.c.followed),
        )
        .select_from(
            claims.outerjoin(payers, payers.c.id == claims.c.payer_id)
            .outerjoin(seen, seen.c.claim_id == claims.c.id)
            .outerjoin(scrub, scrub.c.claim_id == claims.c.id)
            .outerjoin(sent, sent.c.claim_id == claims.c.id)
            .outerjoin(moves, moves.c.claim_id == claims.c.id)
            .outerjoin(patient, patient.c.claim_id == claims.c.id)
            .outerjoin(pay, pay.c.claim_id == claims.c.id)
            .outerjoin(
                first_cp,
                and_(first_cp.c.id == pay.c.first_cp, *_payment_of(first_cp, org_id, ids)),
            )
            .outerjoin(first_t, first_t.c.id == first_cp.c.transaction_id)
            .outerjoin(first_adj, first_adj.c.cp_id == first_cp.c.id)
            .outerjoin(appealed, appealed.c.claim_id == claims.c.id)
            .outerjoin(
                denied_cp,
                and_(denied_cp.c.id == pay.c.denied_cp, *_payment_of(denied_cp, org_id, ids)),
            )
            .outerjoin(denied_t, denied_t.c.id == denied_cp.c.transaction_id)
        )
        .where(claims.c.org_id == org_id, *_only(claims.c.id, ids))
    )


def denials_query(org_id: Org, ids: Ids = None) -> Select[Any]:
    """The ``claim_fact_denials`` rows: denial adjustments per claim, remittance date, CARC."""
    a, cp, t = adjustments, claim_payments, remittance_transactions
    return (
        select(
            a.c.org_id, cp.c.claim_id, t.c.payment_date, a.c.carc, func.count(), _sum(a.c.amount)
        )
        .select_from(
            a.join(cp, and_(cp.c.id == a.c.claim_payment_id, cp.c.org_id == a.c.org_id)).join(
                t, t.c.id == cp.c.transaction_id
            )
        )
        .where(a.c.org_id == org_id, is_denial(), *_of_claims(cp.c.claim_id, ids))
        .where(*_paid_under(org_id, ids))
        .group_by(a.c.org_id, cp.c.claim_id, t.c.payment_date, a.c.carc)
    )


def payments_query(org_id: Org, ids: Ids = None) -> Select[Any]:
    """The ``claim_fact_payments`` rows: per claim and remittance date, what the payer paid
    and what came off the payer balance (paid plus non-denial adjustments)."""
    cp, t = claim_payments, remittance_transactions
    adj = _by_payment(org_id, ids, "adj")
    return (
        select(
            cp.c.org_id,
            cp.c.claim_id,
            t.c.payment_date,
            _sum(cp.c.paid_amount),
            _sum(cp.c.paid_amount + func.coalesce(adj.c.reducing, 0)),
        )
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).outerjoin(adj, adj.c.cp_id == cp.c.id)
        )
        .where(cp.c.org_id == org_id, *_of_claims(cp.c.claim_id, ids))
        .group_by(cp.c.org_id, cp.c.claim_id, t.c.payment_date)
    )


@cache
def _statements(dialect: str, by_ids: bool) -> tuple[Executable, ...]:
    """Delete and re-insert the fact rows of one organization (and, ``by_ids``, of the
    claims in the parameter ``ids``: ``fact_rollups.ids_parameter``)."""
    org: BindParameter[Any] = bindparam("org_id")
    ids = fact_rollups.ids_parameter(dialect) if by_ids else None
    tables = (claim_facts, claim_fact_denials, claim_fact_payments)
    out: list[Executable] = [
        delete(table).where(table.c.org_id == org, *_only(table.c.claim_id, ids))
        for table in tables
    ]
    for table, query in zip(
        tables,
        (facts_query(org, ids), denials_query(org, ids), payments_query(org, ids)),
        strict=True,
    ):
        out.append(insert(table).from_select([c.name for c in table.columns], query))
    return tuple(out)


def _write(conn: Connection, org_id: int, ids: Sequence[int] | None) -> None:
    """Rewrite the facts, and move the fact rollups with them: the claims' old rows out
    before, their new rows in after (or the organization's rollups rebuilt)."""
    params: dict[str, Any] = {"org_id": org_id}
    if ids is not None:
        params["ids"] = list(ids)
    dialect = conn.dialect.name
    kept = (fact_rollups, adjudication_rollup)  # the daily rollups kept with the facts
    before = [s for r in kept for s in r.subtract_statements(dialect)] if ids is not None else []
    after = [
        s
        for r in kept
        for s in (r.add_statements(dialect) if ids is not None else r.rebuild_statements())
    ]
    for statement in (*before, *_statements(dialect, ids is not None), *after):
        conn.execute(statement, params)


def refresh_claim_facts(conn: Connection, org_id: int, claim_ids: Iterable[int]) -> None:
    """Recompute the facts of ``claim_ids`` on ``conn`` (inside the caller's transaction)."""
    wanted = sorted({int(i) for i in claim_ids})
    if not wanted:
        return
    if conn.dialect.name != "postgresql":
        for start in range(0, len(wanted), CHUNK):
            _write(conn, org_id, wanted[start : start + CHUNK])
        return
    # A few claims' rows are index lookups; PostgreSQL's cost estimate for the grouped
    # subqueries would otherwise JIT-compile them, which costs more than running them.
    conn.exec_driver_sql("SET LOCAL jit = off")
    keep_statistics(conn, READ_BY_CLAIM)
    previous = conn.execute(_RANDOM_PAGE_COST).scalar_one()
    conn.execute(_SET_RANDOM_PAGE_COST, {"cost": str(RANDOM_PAGE_COST)})
    for start in range(0, len(wanted), PG_CHUNK):
        _write(conn, org_id, wanted[start : start + PG_CHUNK])
    # (after a failure the transaction is rolled back, and the setting with it)
    conn.execute(_SET_RANDOM_PAGE_COST, {"cost": previous})


def refresh_all_claim_facts(conn: Connection, org_id: int) -> int:
    """Rebuild every fact row of the organization set-based; returns the claims counted."""
    _write(conn, org_id, None)
    query = select(func.count()).select_from(claim_facts).where(claim_facts.c.org_id == org_id)
    return int(conn.execute(query).scalar_one())
