"""Denials to closure: an appeal marked sent (submitted_on, the claim appealed, the
denial follow-up SLA measured) that a later 835 pays (the recovery filled); write-offs
within and above the biller's limit (approval by someone else, a ledger entry, the claim
closed, the write-off rate filled); closing with a reason. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from ptrcm.analytics import Scope
from ptrcm.analytics.claims_kpis import appeal_recovery, charges_adjudicated, denial_reasons
from ptrcm.analytics.filters import KpiFilters
from ptrcm.analytics.sla import denial_follow_up
from ptrcm.domain.access import Role
from ptrcm.errors import InputError
from ptrcm.services.remittance.appeals import appeal_letter
from ptrcm.services.work import closure
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_transitions
from tests.integration.posting.builders import CONTEXT, PAID_ON, post, remittance, sums, write
from tests.integration.work.helpers import (
    PAID_AFTER_APPEAL,
    as_actor,
    audit_rows,
    denied_claim,
)

D = Decimal
MARCH = KpiFilters(date(2026, 3, 1), date(2026, 3, 31))


def _states(store: Store, org: int) -> list[tuple[str | None, str, str | None]]:
    with store.engine.connect() as conn:
        query = (
            select(claim_transitions.c.from_state, claim_transitions.c.to_state,
                   claim_transitions.c.reason)
            .where(claim_transitions.c.org_id == org)
            .order_by(claim_transitions.c.id)
        )  # fmt: skip
        return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]


def test_an_appeal_sent_is_measured_and_a_later_835_that_pays_fills_the_recovery(
    store: Store, tmp_path: Path
) -> None:
    org = denied_claim(store, tmp_path)
    work = lambda: as_actor(store, org, "user:bea")  # noqa: E731
    with store.engine.connect() as conn:
        assert denial_follow_up(Scope(conn, org), MARCH).pending == 1
    with pytest.raises(InputError, match="no appeal letter yet"):
        closure.appeal_sent(work, "V-1", date(2026, 3, 25), "fax")
    appeal_letter(work, "V-1", date(2026, 3, 24), CONTEXT.config, CONTEXT.catalog)
    with pytest.raises(InputError, match="must be one of"):
        closure.appeal_sent(work, "V-1", date(2026, 3, 25), "pigeon")
    # Marked sent on the 26th, sent (faxed) on the 24th: the SLA counts from the 24th.
    later = lambda: as_actor(store, org, "user:bea", datetime(2026, 3, 26, 9, tzinfo=UTC))  # noqa: E731
    appeal_id = closure.appeal_sent(later, "V-1", date(2026, 3, 24), "fax", "Edited letter.")
    with as_actor(store, org, "test") as uow:
        (appeal,) = uow.appeals.all()
        (item,) = uow.work.items("denial")
        state = uow.claims.by_pcn(["V-1"])["V-1"].state
    assert (appeal["id"], appeal["submitted_on"], appeal["sent_method"]) == (
        appeal_id, date(2026, 3, 24), "fax",
    )  # fmt: skip
    assert appeal["letter"] == "Edited letter." and state == "appealed"
    assert item["state"] == "in_progress"
    with store.engine.connect() as conn:
        sla = denial_follow_up(Scope(conn, org), MARCH)
    assert (sla.count, sla.median_days, sla.pending) == (1, 4, 0)
    with pytest.raises(InputError, match="already marked sent"):
        closure.appeal_sent(work, "V-1", date(2026, 3, 26), "mail")
    post(store, org, write(tmp_path, "paid.835", remittance([PAID_AFTER_APPEAL], "47.20",
                                                              trace="EFT0002")))  # fmt: skip
    with as_actor(store, org, "test") as uow:
        (appeal,) = uow.appeals.all()
        assert uow.appeals.payments(int(appeal["id"]))
    assert (appeal["outcome"], appeal["recovered_amount"]) == ("overturned", D("47.20"))
    with store.engine.connect() as conn:
        found = appeal_recovery(Scope(conn, org), MARCH)
    assert (found.decided, found.recovered, found.recovered_amount) == (1, 1, D("47.20"))
    assert [s[1] for s in _states(store, org)] == ["denied", "appealed", "paid"]


def test_a_write_off_above_the_biller_limit_waits_for_a_manager(
    store: Store, tmp_path: Path
) -> None:
    org = denied_claim(store, tmp_path)
    biller = lambda: as_actor(store, org, "user:bea")  # noqa: E731
    manager = lambda: as_actor(store, org, "user:max")  # noqa: E731
    wid, state = closure.write_off(
        biller, "V-1", D("110.00"), "medical_necessity", "appeal not worth it", PAID_ON,
        Role.biller,
    )  # fmt: skip
    assert state == "pending" and "write_off" not in sums(store, org, "V-1")
    with pytest.raises(InputError, match="pending write-off"):
        closure.write_off(biller, "V-1", D("5.00"), "other", "again", PAID_ON, Role.biller)
    with pytest.raises(InputError, match="approved by someone else"):
        closure.approve_write_off(biller, wid, Role.manager)
    with pytest.raises(InputError, match="above your limit"):
        closure.approve_write_off(lambda: as_actor(store, org, "user:cal"), wid, Role.biller)
    assert closure.approve_write_off(manager, wid, Role.manager) == "approved"
    assert sums(store, org, "V-1")["write_off"] == D("110.00")
    with as_actor(store, org, "test") as uow:
        record = uow.claims.by_pcn(["V-1"])["V-1"]
        (item,) = uow.work.items("denial")
        (row,) = uow.write_offs.for_claim(record.id)
    assert (record.state, item["state"], row["decided_by"]) == ("closed", "done", "user:max")
    with store.engine.connect() as conn:
        reasons = denial_reasons(Scope(conn, org), MARCH)
        charged = charges_adjudicated(Scope(conn, org), MARCH)
    assert sum(r.written_off_amount for r in reasons) == D("110.00") and charged == D("110.00")
    audited = audit_rows(store, org, "write_offs")
    assert [(a["action"], a["actor"]) for a in audited] == [
        ("create", "user:bea"), ("update", "user:max"),
    ]  # fmt: skip


def test_a_write_off_within_the_limit_is_applied_at_once(store: Store, tmp_path: Path) -> None:
    org = denied_claim(store, tmp_path)
    work = lambda: as_actor(store, org, "user:bea")  # noqa: E731
    with pytest.raises(InputError, match="must be one of"):
        closure.write_off(work, "V-1", D("10.00"), "whim", "x", PAID_ON, Role.biller)
    with pytest.raises(InputError, match="needs a reason"):
        closure.write_off(work, "V-1", D("10.00"), "small_balance", " ", PAID_ON, Role.biller)
    _, state = closure.write_off(
        work, "V-1", D("10.00"), "small_balance", "below cost", PAID_ON, Role.biller
    )
    assert state == "approved" and sums(store, org, "V-1")["write_off"] == D("10.00")
    assert _states(store, org)[-1][1:] == ("closed", "written off (small_balance), write-off 1")


def test_closing_needs_a_reason_and_a_state_that_allows_it(store: Store, tmp_path: Path) -> None:
    org = denied_claim(store, tmp_path)
    work = lambda: as_actor(store, org, "user:bea")  # noqa: E731
    with pytest.raises(InputError, match="needs a reason"):
        closure.close_claim(work, "V-1", "")
    closure.close_claim(work, "V-1", "patient self-pay agreement")
    assert _states(store, org)[-1] == ("denied", "closed", "patient self-pay agreement")
    with pytest.raises(InputError, match="closed: cannot close"):
        closure.close_claim(work, "V-1", "again")
    with pytest.raises(InputError, match="no claim"):
        closure.close_claim(work, "NOPE", "x")
