"""The work queue reads one claim's items in SQL (an appeal letter or outcome no longer
scans every denial of the organization): the same items, oldest first, as filtering the
whole queue, with kind and state applied too. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Provider
from ptrcm.domain.work_queue import WorkItem
from ptrcm.store.money_in_uow import money_in_unit_of_work
from ptrcm.store.repository import Store

NOW = datetime(2026, 3, 21, tzinfo=UTC)


def _claims(n: int) -> list[Claim]:
    line = ClaimLine(1, date(2026, 3, 2), "97110", ("GP",), 2, 2, Money.of("110.00"), (1,))
    return [
        Claim(
            f"W-{i}", "MEDICARE", f"P-{i}", "PT", (line,), ("M54.16",), Provider("PT", "1234567893")
        )
        for i in range(n)
    ]


def test_items_of_one_claim(store: Store) -> None:
    org = store.ensure_organization("work")
    with money_in_unit_of_work(store, org, "test", lambda: NOW) as uow:
        ids = uow.claims.add_claims(_claims(3), state="submitted")
        for n, pcn in enumerate(["W-0", "W-1", "W-0", "W-2", "W-0"]):
            kind = "underpayment" if n == 2 else "denial"
            uow.work.add(WorkItem(kind, f"item {n}", ids[pcn], Decimal("1.00")))
        uow.work.add(WorkItem("exception", "no claim", None, None))
        first = uow.work.items("denial", claim_id=ids["W-0"])
        uow.work.close(int(first[0]["id"]))
        everything = uow.work.items()
        for pcn in ("W-0", "W-1", "W-2"):
            for kind in (None, "denial", "underpayment"):
                for state in (None, "open", "done"):
                    want = [
                        r for r in everything
                        if r["claim_id"] == ids[pcn] and kind in (None, r["kind"])
                        and state in (None, r["state"])
                    ]  # fmt: skip
                    assert uow.work.items(kind, state=state, claim_id=ids[pcn]) == want
        assert [r["reason"] for r in uow.work.items(claim_id=ids["W-0"])] == [
            "item 0", "item 2", "item 4"
        ]  # fmt: skip
