"""Underpayments against an imported contract schedule, and appeals from queue to letter
to outcome to the payment that a later 835 brings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ptrcm.services.remittance.appeals import appeal_letter, appeal_queue, record_outcome
from ptrcm.services.remittance.underpayments import import_contract
from ptrcm.store.repository import Store
from tests.integration.posting.builders import (
    CONTEXT,
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)

ONE = [("97110", 30)]
NO_TERMS = {"mppr": False, "assistant_reduction": False, "sequestration_rate": "0.02"}


def test_an_underpaid_line_is_queued_with_its_variance_and_contract_terms(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-20", ONE), visit("V-21", ONE)])
    schedule = tmp_path / "medicare-2026.csv"
    schedule.write_text("code,allowed\n97110,30.00\n97140,31.00\n", encoding="utf-8")
    first = import_contract(lambda: uow(store, org), "MEDICARE", schedule, NO_TERMS)
    again = import_contract(lambda: uow(store, org), "MEDICARE", schedule, NO_TERMS)
    assert (first.version, again.version, again.codes) == (1, 2, 2)
    # Expected allowed: 2 units x 30.00 = 60.00 (no MPPR in this contract).
    # V-20: allowed = paid 44.00 + PR 11.00 = 55.00 -> short 5.00.
    short = clp(
        "V-20",
        "1",
        "110.00",
        "44.00",
        svc(
            "97110",
            "110.00",
            "44.00",
            cas("CO", "45", "55.00"),
            cas("PR", "2", "11.00"),
            line=1,
            units="2",
        ),
    )
    # V-21: AMT*B6 60.00 = expected; paid 48.00 + PR 12.00: not underpaid.
    full = clp(
        "V-21",
        "1",
        "110.00",
        "48.00",
        svc(
            "97110",
            "110.00",
            "48.00",
            cas("CO", "45", "50.00"),
            cas("PR", "2", "12.00"),
            line=1,
            units="2",
            allowed="60.00",
        ),
    )
    result = post(store, org, write(tmp_path, "u.835", remittance([short, full], "92.00")))
    assert result.underpayments == 1
    with uow(store, org) as work:
        (row,) = work.underpayments.items()
        assert (row["expected_allowed"], row["actual_allowed"], row["variance"]) == (
            Decimal("60.00"),
            Decimal("55.00"),
            Decimal("5.00"),
        )
        assert (row["schedule_name"], row["schedule_version"]) == ("medicare-2026", 2)
        assert row["steps"][0].startswith("base: 0.00 -> 60.00 (fee schedule medicare-2026 v2)")
        (item,) = work.work.items("underpayment")
        assert item["amount"] == Decimal("5.00") and "V-20" in item["reason"]


def test_an_appeal_goes_from_queue_to_letter_to_outcome_to_the_payment_that_follows(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-22", ONE), visit("V-23", ONE)])
    denied = [
        clp(
            pcn,
            "4",
            "110.00",
            "0.00",
            svc("97110", "110.00", "0.00", cas("CO", carc, "110.00"), line=1, remarks=("N115",)),
        )
        for pcn, carc in (("V-22", "50"), ("V-23", "197"))
    ]
    post(store, org, write(tmp_path, "den.835", remittance(denied, "0.00")))
    queue = appeal_queue(lambda: uow(store, org), date(2026, 4, 1))
    # Same dollars, same deadline (2026-07-23): ties go to the work item id.
    assert [(r.claim, r.amount, r.due.isoformat()) for r in queue] == [
        ("V-22", Decimal("110.00"), "2026-07-23"),
        ("V-23", Decimal("110.00"), "2026-07-23"),
    ]
    letter = appeal_letter(
        lambda: uow(store, org), "V-22", date(2026, 4, 1), CONTEXT.config, CONTEXT.catalog
    )
    assert "V-22" in letter and "2026-07-23" in letter and "Plan of care" in letter
    appeal_id = record_outcome(
        lambda: uow(store, org), "V-22", "won", Decimal("59.00"), date(2026, 5, 1)
    )
    assert [r.claim for r in appeal_queue(lambda: uow(store, org), date(2026, 5, 2))] == ["V-23"]
    paid = clp(
        "V-22",
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
        payer_claim="PCN0009",
    )
    post(store, org, write(tmp_path, "won.835", remittance([paid], "47.20", trace="EFT0002")))
    with uow(store, org) as work:
        (appeal,) = work.appeals.all()
        assert (appeal["id"], appeal["outcome"], appeal["recovered_amount"]) == (
            appeal_id,
            "overturned",
            Decimal("59.00"),
        )
        (payment_id,) = work.appeals.payments(appeal_id)
        payment = next(p for p in work.remits.claim_payments() if p["id"] == payment_id)
        assert (payment["pcn"], payment["paid_amount"]) == ("V-22", Decimal("47.20"))
        assert work.claims.state_of("V-22") == "paid"
