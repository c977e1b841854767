"""A payment is posted once: copies found by what they are, not by their bytes.

Every case posts a first file, then a copy that differs in bytes only (or repeats the
check inside one file), and checks the ledger holds the money once and the copy is an
exception item naming the original posting. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ptrcm.store.repository import Store
from ptrcm.x12.envelope import CounterControlNumbers
from ptrcm.x12.remit835 import model as rm
from ptrcm.x12.remit835.write import write_835
from tests.integration.posting.builders import (
    SETTINGS,
    cas,
    clp,
    post,
    remittance,
    seed,
    sums,
    svc,
    uow,
    visit,
    write,
)

D = Decimal
ONE = [("97110", 30)]


def paid(pcn: str, payer_claim: str = "PCN0001", amount: str = "47.20") -> rm.ClaimPayment:
    # 110.00 - CO-45 51.00 - PR-2 11.80 = 47.20
    co = D("110.00") - D(amount) - D("11.80")
    return clp(
        pcn,
        "1",
        "110.00",
        amount,
        svc("97110", "110.00", amount, cas("CO", "45", str(co)), cas("PR", "2", "11.80"), line=1),
        payer_claim=payer_claim,
    )


def payer_payments(store: Store, org: int) -> Decimal:
    return sums(store, org).get("payer_payment", D("0.00"))


def exceptions(store: Store, org: int) -> list[str]:
    with uow(store, org) as work:
        return [str(i["reason"]) for i in work.work.items("exception")]


def test_the_same_835_with_a_trailing_newline_posts_no_money_again(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE), visit("V-2", ONE)])
    first = write(tmp_path, "a.835", remittance([paid("V-1"), paid("V-2")], "94.40"))
    assert post(store, org, first).paid == D("94.40")
    copy = tmp_path / "a-copy.835"
    copy.write_bytes(first.read_bytes() + b"\n")
    again = post(store, org, copy)
    assert not again.already_posted and again.posted == 0
    assert payer_payments(store, org) == D("94.40")
    (reason,) = exceptions(store, org)
    assert reason.startswith("835 payment TRN EFT0001 of 94.40 on 2026-03-20 already posted")
    assert "from a.835 ST0001" in reason and "its 2 claims not posted again" in reason
    assert again.needs_attention and again.duplicates == [reason]


def test_a_resend_with_a_new_interchange_and_group_number_posts_no_money_again(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE)])
    remit = remittance([paid("V-1")], "47.20")
    post(store, org, write(tmp_path, "a.835", remit))
    resent = write_835([remit], SETTINGS, CounterControlNumbers(907, 44, 12), datetime(2026, 4, 1))
    assert "*000000907*" in resent and "*44*" in resent
    path = tmp_path / "resent.835"
    path.write_text(resent, encoding="ascii")
    again = post(store, org, path)
    assert again.posted == 0 and len(again.duplicates) == 1
    assert payer_payments(store, org) == D("47.20")
    with uow(store, org) as work:
        claim_id = work.claims.by_pcn(["V-1"])["V-1"].id
        assert len(work.remits.claim_payments(claim_id)) == 1
        steps = [t["to_state"] for t in work.claims.transitions(claim_id)]
    assert steps == ["paid"]


def test_the_same_check_twice_in_one_file_posts_once(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-1", ONE)])
    remit = remittance([paid("V-1")], "47.20")
    result = post(store, org, write(tmp_path, "double.835", remit, remit))
    assert (result.transactions, result.posted, result.paid) == (1, 1, D("47.20"))
    assert payer_payments(store, org) == D("47.20")
    (reason,) = exceptions(store, org)
    assert "already posted from double.835 ST0001" in reason


def test_the_same_check_two_hundred_times_in_one_file_posts_once(
    store: Store, tmp_path: Path
) -> None:
    pcns = [f"V-{n}" for n in range(1, 4)]
    org = seed(store, [visit(p, ONE) for p in pcns])
    remit = remittance([paid(p) for p in pcns], "141.60")
    result = post(store, org, write(tmp_path, "x200.835", *[remit] * 200))
    assert (result.transactions, result.claims, result.posted) == (1, 600, 3)
    assert payer_payments(store, org) == D("141.60")
    assert len(exceptions(store, org)) == 199
    with uow(store, org) as work:
        assert len(work.remits.claim_payments()) == 3


def test_a_claim_paid_again_under_a_new_check_posts_no_money_and_names_the_original(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE), visit("V-2", ONE)])
    post(store, org, write(tmp_path, "a.835", remittance([paid("V-1")], "47.20")))
    # The payer's next check repeats V-1's payment beside a new one for V-2.
    both = remittance([paid("V-1"), paid("V-2")], "94.40", trace="EFT0002")
    result = post(store, org, write(tmp_path, "b.835", both))
    assert (result.posted, result.paid) == (1, D("47.20"))
    assert sums(store, org, "V-1")["payer_payment"] == D("47.20")
    assert sums(store, org, "V-2")["payer_payment"] == D("47.20")
    (reason,) = exceptions(store, org)
    assert reason.startswith("835 claim V-1 (payer claim PCN0001, status 1, paid 47.20)")
    assert "already posted from a.835 ST0001/CLP" in reason and "(claim payment 1)" in reason


def test_the_same_claim_twice_in_one_transaction_posts_once(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-1", ONE)])
    result = post(store, org, write(tmp_path, "a.835", remittance([paid("V-1")] * 2, "94.40")))
    assert (result.posted, len(result.duplicates)) == (1, 1)
    assert sums(store, org, "V-1")["payer_payment"] == D("47.20")


def test_a_paid_claim_paid_in_full_again_is_an_exception_not_a_silent_second_paid(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE)])
    post(store, org, write(tmp_path, "a.835", remittance([paid("V-1")], "47.20")))
    # A new payer claim number: not a copy, so the money is posted, but the claim is paid.
    other = remittance([paid("V-1", "PCN0009", "50.00")], "50.00", trace="EFT0002")
    result = post(store, org, write(tmp_path, "b.835", other))
    assert result.posted == 1 and result.duplicates == []
    (reason,) = exceptions(store, org)
    assert reason == (
        "claim V-1: state paid cannot take 835 outcome paid; money posted, state unchanged"
    )
    with uow(store, org) as work:
        claim_id = work.claims.by_pcn(["V-1"])["V-1"].id
        assert [t["to_state"] for t in work.claims.transitions(claim_id)] == ["paid"]


def test_a_reversed_payment_may_be_paid_again_with_the_same_identity(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", ONE)])
    post(store, org, write(tmp_path, "a.835", remittance([paid("V-1")], "47.20")))
    reversal = clp(
        "V-1",
        "22",
        "-110.00",
        "-47.20",
        svc("97110", "-110.00", "-47.20", cas("CO", "45", "-51.00"), cas("PR", "2", "-11.80"),
            line=1),
    )  # fmt: skip
    result = post(
        store,
        org,
        write(tmp_path, "b.835", remittance([reversal, paid("V-1")], "0.00", trace="R1")),
    )
    assert (result.reversals, result.posted, result.duplicates) == (1, 2, [])
    assert sums(store, org, "V-1")["payer_payment"] == D("47.20")
    assert exceptions(store, org) == []
