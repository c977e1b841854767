"""The turnaround SLAs read the claim facts; they equal the base-table computation.

Charge lag, submission lag and denial follow-up used to be computed from claims, claim
versions, claim payments, adjustments, appeals and transitions on every request; they now
read ``claim_facts`` (``built_at``, ``first_submitted_at``, ``first_denied_on``,
``followed_up_on``). The base-table queries are kept here as the reference and compared on
a clinic with the awkward cases, for several periods and every filter, on both databases.

The denial clinic (March 2026), first denials and follow-ups:
- D1 paid 03-02, denied (status 4) 03-10; moved to appealed 03-11, appeal sent 03-12: 1 day.
- D2 denied by a CO-97 adjustment on a processed payment 03-05, again status 4 03-06; an
  appeal drafted, never sent: pending.
- D3 first denied 02-20 (before March), denied again 03-09: not a March first denial.
- D4 a reversal (status 22) with CO-50 on 03-04 is a denial; corrected 03-20: 16 days.
- D5 CO-45 and PR-2 only (no denial) on 03-06, then CR-50 (group CR: no denial): never.
- D6 denied 03-25 by CO-16 with an unknown CARC beside it; voided at 23:30 UTC on 03-27
  and an appeal sent 03-29: 2 days (the earlier follow-up).
- D7 (BCBS, NORTH) denied 03-08, appeal sent 03-08: 0 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import ColumnElement, Executable, exists, func, insert, or_, select

from ptrcm.analytics import KpiFilters, Scope, sla
from ptrcm.analytics.filters import claim_conds
from ptrcm.analytics.sql import end_of, start_of
from ptrcm.store import db
from ptrcm.store.adjustment_conditions import is_denial
from ptrcm.store.day_sql import day_diff, least, utc_day
from ptrcm.store.money_in_uow import MoneyInUnitOfWork
from ptrcm.store.repository import Store
from ptrcm.store.tables import (
    adjustments,
    appeals,
    claim_facts,
    claim_payments,
    claim_transitions,
    claim_versions,
    claims,
    remittance_transactions,
)
from tests.integration.analytics.clinic import Clinic, at
from tests.integration.analytics.conftest import MARCH, build_march

FOLLOW_UP_STATES = ("appealed", "corrected", "voided")


def _histogram(scope: Scope, query: Executable) -> dict[int | None, int]:
    return {None if d is None else int(d): int(n) for d, n in scope.rows(query)}


def reference_charge_lag(scope: Scope, f: KpiFilters) -> dict[int | None, int]:
    lag = day_diff(utc_day(claims.c.created_at), claims.c.first_date_of_service).label("d")
    query = (
        select(lag, func.count())
        .where(
            *claim_conds(scope, f),
            claims.c.created_at >= start_of(f.start),
            claims.c.created_at < end_of(f.end),
        )
        .group_by(lag)
    )
    return _histogram(scope, query)


def reference_submission_lag(scope: Scope, f: KpiFilters) -> dict[int | None, int]:
    v = claim_versions
    lag = day_diff(utc_day(v.c.submitted_at), utc_day(claims.c.created_at)).label("d")
    query = (
        select(lag, func.count())
        .select_from(v.join(claims, claims.c.id == v.c.claim_id))
        .where(
            *claim_conds(scope, f),
            v.c.version_number == 1,
            v.c.submitted_at >= start_of(f.start),
            v.c.submitted_at < end_of(f.end),
        )
        .group_by(lag)
    )
    return _histogram(scope, query)


def reference_denial_follow_up(scope: Scope, f: KpiFilters) -> dict[int | None, int]:
    """The previous definition, row by row from the base tables (``None``: pending)."""
    cp, t = claim_payments, remittance_transactions
    earlier = claim_payments.alias("earlier_denial")

    def denied(p: Any) -> ColumnElement[bool]:  # claim_payments or its alias
        return or_(
            p.c.status_code == "4",
            exists().where(
                adjustments.c.org_id == p.c.org_id,
                adjustments.c.claim_payment_id == p.c.id,
                is_denial(),
            ),
        )

    appealed = (
        select(func.min(appeals.c.submitted_on))
        .where(appeals.c.org_id == cp.c.org_id, appeals.c.claim_id == cp.c.claim_id)
        .scalar_subquery()
    )
    moved = (
        select(func.min(utc_day(claim_transitions.c.occurred_at)))
        .where(
            claim_transitions.c.org_id == cp.c.org_id,
            claim_transitions.c.claim_id == cp.c.claim_id,
            claim_transitions.c.to_state.in_(FOLLOW_UP_STATES),
        )
        .scalar_subquery()
    )
    first = (
        select(t.c.payment_date.label("denied_on"), least(appealed, moved).label("followed_on"))
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).join(claims, claims.c.id == cp.c.claim_id)
        )
        .where(
            cp.c.org_id == scope.org_id,
            t.c.payment_date.between(f.start, f.end),
            denied(cp),
            ~exists().where(
                earlier.c.org_id == cp.c.org_id,
                earlier.c.claim_id == cp.c.claim_id,
                earlier.c.id < cp.c.id,
                denied(earlier),
            ),
            *claim_conds(scope, f),
        )
        .subquery("first_denials")
    )
    lag = day_diff(first.c.followed_on, first.c.denied_on).label("d")
    return _histogram(scope, select(lag, func.count()).group_by(lag).select_from(first))


def _as_histogram(s: sla.Sla) -> dict[int | None, int]:
    found: dict[int | None, int] = dict(s.histogram)
    if s.pending:
        found[None] = s.pending
    return found


def build_denials(c: Clinic) -> None:
    build_march(c)  # charge and submission lags over seven claims, two follow-ups
    rows = [  # pcn, payer, dos, location
        ("D1", "MCR", "2026-02-25", "MAIN"), ("D2", "MCR", "2026-02-26", "MAIN"),
        ("D3", "MCR", "2026-02-01", "MAIN"), ("D4", "MCR", "2026-02-27", "MAIN"),
        ("D5", "MCR", "2026-02-28", "MAIN"), ("D6", "MCR", "2026-03-01", "MAIN"),
        ("D7", "BCBS", "2026-03-02", "NORTH"),
    ]  # fmt: skip
    for pcn, payer, dos, location in rows:
        c.patient(f"P-{pcn}")
        c.visit(f"V-{pcn}", f"P-{pcn}", payer, dos, location, "ANA")
        c.claim(pcn, f"P-{pcn}", payer, dos, "100.00", "denied", dos, dos)
    c.remit("D1", "2026-03-02", "100.00", "60.00", adjust=[("CO", "45", "40.00")])
    c.remit("D1", "2026-03-10", "100.00", "0.00", status="4", adjust=[("CO", "50", "100.00")])
    c.transition("D1", "appealed", "2026-03-11")
    c.appeal("D1", "2026-03-12", None, "pending", None)
    c.remit("D2", "2026-03-05", "100.00", "20.00", adjust=[("CO", "97", "80.00")])
    c.remit("D2", "2026-03-06", "100.00", "0.00", status="4")
    c.conn.execute(  # drafted, not sent
        insert(appeals).values(
            org_id=c.org_id, created_at=at("2026-03-07"), claim_id=c.ids["D2"],
            deadline=date(2026, 6, 1), outcome="pending",
        )
    )  # fmt: skip
    c.remit("D3", "2026-02-20", "100.00", "0.00", status="4")
    c.remit("D3", "2026-03-09", "100.00", "0.00", status="4")
    c.remit("D4", "2026-03-04", "100.00", "0.00", status="22", adjust=[("CO", "50", "100.00")])
    c.transition("D4", "corrected", "2026-03-20")
    c.remit(
        "D5", "2026-03-06", "100.00", "70.00", adjust=[("CO", "45", "20.00"), ("PR", "2", "10.00")]
    )
    c.remit("D5", "2026-03-07", "100.00", "0.00", adjust=[("CR", "50", "10.00")])
    c.remit(
        "D6", "2026-03-25", "100.00", "0.00", adjust=[("CO", "16", "60.00"), ("CO", "ZZ9", "40.00")]
    )
    c.conn.execute(  # late in the UTC day
        insert(claim_transitions).values(
            org_id=c.org_id, created_at=at("2026-03-27"), claim_id=c.ids["D6"], actor="test",
            to_state="voided", occurred_at=at("2026-03-27", 23).replace(minute=30),
        )
    )  # fmt: skip
    c.appeal("D6", "2026-03-29", None, "pending", None)
    c.remit("D7", "2026-03-08", "100.00", "0.00", status="4")
    c.appeal("D7", "2026-03-08", None, "pending", None)
    c.refresh_facts()


@pytest.fixture
def denials(store: Store) -> Iterator[Scope]:
    org = store.create_organization("denials", "Denial clinic")
    with store.engine.begin() as conn:
        build_denials(Clinic(conn, org))
    with store.engine.connect() as conn:
        yield Scope(conn, org)


def test_denial_follow_up_is_read_from_the_facts_with_the_awkward_cases(denials: Scope) -> None:
    # March clinic: C2 denied 03-12 (closed, no follow-up: pending), C3 03-15 appealed
    # 03-18 (3 days), C6 03-25 appealed 03-26 (1 day); and D1 1, D2 pending, D4 16, D6 2,
    # D7 0 days.
    found = sla.denial_follow_up(denials, MARCH)
    assert found.histogram == ((0, 1), (1, 2), (2, 1), (3, 1), (16, 1))
    assert (found.count, found.pending, found.median_days, found.p90_days) == (6, 2, 1, 16)


PERIODS = [
    MARCH,
    KpiFilters(date(2026, 2, 1), date(2026, 2, 28)),
    KpiFilters(date(2026, 3, 6), date(2026, 3, 9)),
    KpiFilters(date(2025, 1, 1), date(2026, 12, 31)),
]
NARROWED = [
    {},
    {"payer_class": "medicare"},
    {"payer": "BCBS"},
    {"location": "NORTH"},
    {"therapist": "1111111112"},
    {"location": "EAST"},  # no such location: nothing
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda f: f"{f.start}..{f.end}")
def test_the_three_slas_from_the_facts_equal_the_base_table_queries(
    denials: Scope, period: KpiFilters
) -> None:
    compared = 0
    for narrow in NARROWED:
        f = replace(period, **narrow)
        assert _as_histogram(sla.charge_lag(denials, f)) == reference_charge_lag(denials, f)
        assert _as_histogram(sla.submission_lag(denials, f)) == reference_submission_lag(denials, f)
        follow_up = _as_histogram(sla.denial_follow_up(denials, f))
        assert follow_up == reference_denial_follow_up(denials, f)
        compared += sum(follow_up.values())
    if period in (MARCH, PERIODS[-1]):
        assert compared > 10  # the comparison saw first denials, not only empty histograms


def test_migration_0033_fills_an_existing_database_as_the_refresh_does(store: Store) -> None:
    """A database migrated before 0033 gets the two columns from the migration itself."""
    org = store.create_organization("filled", "Filled by the migration")
    cf = claim_facts
    columns = (cf.c.claim_id, cf.c.first_denied_on, cf.c.followed_up_on)
    with store.engine.begin() as conn:
        build_denials(Clinic(conn, org))
        refreshed = sorted(conn.execute(select(*columns).where(cf.c.org_id == org)).all())
    db.downgrade(store.engine, "0032")
    db.upgrade(store.engine)
    with store.engine.connect() as conn:
        filled = sorted(conn.execute(select(*columns).where(cf.c.org_id == org)).all())
    assert filled == refreshed
    assert sum(1 for _, denied_on, _ in refreshed if denied_on is not None) == 9


def test_sending_an_appeal_rewrites_the_claims_follow_up_on_commit(denials: Scope) -> None:
    store_engine = denials.conn.engine
    d2 = denials.conn.execute(select(claims.c.id).where(claims.c.pcn == "D2")).scalar_one()
    (drafted,) = denials.conn.execute(select(appeals.c.id).where(appeals.c.claim_id == d2)).all()
    denials.conn.rollback()
    with MoneyInUnitOfWork(store_engine, denials.org_id, "test") as uow:
        uow.appeals.mark_sent(int(drafted[0]), date(2026, 3, 16), "fax", None)
        uow.commit()
    found = sla.denial_follow_up(denials, MARCH)
    assert (found.count, found.pending) == (7, 1)  # D2: denied 03-05, sent 03-16: 11 days
    assert found.histogram == ((0, 1), (1, 2), (2, 1), (3, 1), (11, 1), (16, 1))
