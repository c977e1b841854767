"""The fact rollups answer what the claims' facts answer, and are kept with them.

A/R aging of every day, the charges and reductions behind days in A/R, net revenue of the
claims at one location, charge and submission lag, the first adjudications of each day
(first-pass, initial denial and net collection rates), denial reasons: from the rollups and from the
facts, unfiltered and by payer class and payer.

The clinic of test_shared_figures (the March clinic, C8 paid on both sides of February, C9
paid, reversed and paid again, C10 paid on the period's last day). Then, as later writes
would, C7 gets a payment, C6 closes, C4 is voided, C1's payment is reversed and C8 moves
to another payer: refreshing those claims' facts moves the rollup with them, to exactly
the rows a rebuild gives.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ptrcm.analytics import KpiFilters, Scope, ar, claims_kpis, revenue, sla
from ptrcm.analytics.sql import money_sum
from ptrcm.store.claim_facts import refresh_all_claim_facts, refresh_claim_facts
from ptrcm.store.repository import Store
from ptrcm.store.tables import (
    adjudication_rollup,
    ar_rollup_charges,
    ar_rollup_reductions,
    claim_fact_payments,
    claim_facts,
    claims,
    denial_rollup,
)
from tests.integration.analytics.clinic import Clinic
from tests.integration.analytics.conftest import build_march
from tests.integration.analytics.test_shared_figures import _awkward, _json

FILTERS: list[dict[str, str]] = [{}, {"payer_class": "medicare"}, {"payer": "BCBS"}]
PERIODS = [
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 1, 7), date(2026, 3, 31)),
    (date(2026, 3, 4), date(2026, 3, 5)),
    (date(2025, 12, 1), date(2026, 2, 28)),
]
DAYS = [date(2025, 11, 30) + timedelta(days=n) for n in range(0, 140)]  # every day


def _rows(conn: Connection, org: int) -> list[Any]:
    out = []
    for table in (ar_rollup_charges, ar_rollup_reductions, adjudication_rollup, denial_rollup):
        query = select(table).where(table.c.org_id == org)
        out.append(sorted(tuple(row) for row in conn.execute(query)))
    return out


def _facts_charges(scope: Scope, f: KpiFilters, first: date, last: date) -> Any:
    query = select(money_sum(claim_facts.c.charge)).where(*ar.billed_between(scope, f, first, last))
    return scope.one(query)[0]


def _facts_reductions(scope: Scope, f: KpiFilters, first: date, last: date) -> Any:
    fp, cf = claim_fact_payments, claim_facts
    query = select(money_sum(fp.c.reductions)).where(
        fp.c.org_id == scope.org_id, fp.c.payment_date.between(first, last)
    )
    if f.payer or f.payer_class:
        query = query.where(
            fp.c.claim_id.in_(select(cf.c.claim_id).where(*ar.fact_conds(scope, f)))
        )
    return scope.one(query)[0]


def _carc(row: claims_kpis.DenialReasonRow) -> str:
    return row.carc


def _same_answers(scope: Scope) -> None:
    for narrow in FILTERS:
        f = KpiFilters(DAYS[0], DAYS[-1], **narrow)
        for first, last in PERIODS:
            p = KpiFilters(first, last, **narrow)
            assert revenue._money_by_facts(scope, p) == revenue._money_by_facts(
                scope, p, rolled_up=False
            ), (narrow, first)
            assert _json(claims_kpis.first_adjudication_days(scope, p)) == _json(
                claims_kpis.first_adjudication_days(scope, p, rolled_up=False)
            ), (narrow, first)
            reasons = sorted(claims_kpis.denial_reasons(scope, p, rolled_up=False), key=_carc)
            assert _json(claims_kpis.denial_reasons(scope, p)) == _json(reasons), (narrow, first)
            assert _json(sla.charge_lag(scope, p)) == _json(sla.charge_lag_from_facts(scope, p))
            assert _json(sla.submission_lag(scope, p)) == _json(
                sla.submission_lag_from_facts(scope, p)
            )
        rolled = ar.aging_from_rollup(scope, f, DAYS)
        direct = ar.aging_from_facts(scope, f, DAYS)
        for day in DAYS:
            assert _json(rolled[day]) == _json(direct[day]), (narrow, day)
        for day in DAYS[::7]:
            first = day - timedelta(days=ar.CHARGE_DAYS - 1)
            assert ar.charges_between(scope, f, first, day) == _facts_charges(scope, f, first, day)
            assert ar.reductions_between(scope, f, first, day) == _facts_reductions(
                scope, f, first, day
            )


def _later_writes(c: Clinic, conn: Connection) -> list[int]:
    c.remit("C7", "2026-04-02", "500.00", "200.00", adjust=[("CO", "45", "100.00")])
    c.transition("C6", "closed", "2026-04-03")
    c.remit("C1", "2026-04-04", "-200.00", "-120.00", status="22")
    moved = {"C6": "closed", "C4": "voided", "C1": "partially_paid"}
    for pcn, state in moved.items():
        conn.execute(update(claims).where(claims.c.id == c.ids[pcn]).values(state=state))
    conn.execute(update(claims).where(claims.c.id == c.ids["C8"]).values(payer_id=c.ids["BCBS"]))
    return [c.ids[pcn] for pcn in ("C7", "C6", "C1", "C4", "C8")]


def test_the_rollup_answers_what_the_facts_answer_and_moves_with_them(store: Store) -> None:
    org = store.create_organization("rollup", "A/R rollup clinic")
    with store.engine.begin() as conn:
        c = Clinic(conn, org)
        build_march(c)
        _awkward(c)
        refresh_all_claim_facts(conn, org)
        _same_answers(Scope(conn, org))
        touched = _later_writes(c, conn)
        before = _rows(conn, org)
        refresh_claim_facts(conn, org, touched)  # what a unit of work does on commit
        kept = _rows(conn, org)
        _same_answers(Scope(conn, org))
        refresh_all_claim_facts(conn, org)  # ptrcm db refresh-facts
        assert _rows(conn, org) == kept != before
    with store.engine.connect() as conn:
        never = KpiFilters(DAYS[0], DAYS[-1], location="MAIN")  # the facts answer these
        assert ar.ar_aging_on(Scope(conn, org), never, DAYS[-3:]) == ar.aging_from_facts(
            Scope(conn, org), never, DAYS[-3:]
        )
