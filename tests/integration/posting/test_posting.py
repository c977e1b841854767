"""Posting 835 remittances: hand-computed cases, on SQLite and PostgreSQL.

Claim V-1 (Medicare, 2026-03-02): line 1 97110 GP 2 units 110.00, line 2 97140 GP 1 unit
56.00, total 166.00. Claims with one service have only the 97110 line (110.00).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ptrcm.services.remittance import posting
from ptrcm.services.remittance.claim_posting import PostedClaim
from ptrcm.store.repository import Store
from ptrcm.x12.remit835 import model as rm
from tests.integration.posting.builders import (
    cas,
    clp,
    plb,
    post,
    remittance,
    row_counts,
    seed,
    sums,
    svc,
    uow,
    visit,
    write,
)

D = Decimal
TWO = [("97110", 30), ("97140", 15)]
ONE = [("97110", 30)]


def partial_payment() -> rm.ClaimPayment:
    # 97110: allowed 59.00 = paid 47.20 + coinsurance 11.80; 110.00 - 51.00 - 11.80 = 47.20.
    # 97140: bundled, CO-97 56.00, nothing paid.
    return clp(
        "V-1",
        "1",
        "166.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
        svc("97140", "56.00", "0.00", cas("CO", "97", "56.00"), line=2),
        responsibility="11.80",
    )


def test_a_partial_payment_posts_payment_and_every_adjustment_to_the_cent(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", TWO)])
    result = post(store, org, write(tmp_path, "a.835", remittance([partial_payment()], "47.20")))
    assert (result.posted, result.denials, result.findings) == (1, 1, [])
    assert sums(store, org, "V-1") == {
        "payer_payment": D("47.20"),
        "adjustment_CO": D("107.00"),  # 51.00 + 56.00
        "patient_responsibility": D("11.80"),
    }
    with uow(store, org) as work:
        assert work.claims.state_of("V-1") == "partially_paid"
        denial = work.work.items("denial")[0]
        # Remittance 2026-03-20, presumed received +5, + 120 days (Medicare redetermination).
        assert (denial["amount"], denial["carc"], str(denial["due_date"])) == (
            D("56.00"),
            "97",
            "2026-07-23",
        )
        entries = work.ledger.entries()
        assert all(re.fullmatch(r"ST0001/CLP\d+(/SVC\d+)?", e["segment_ref"]) for e in entries)
        assert all(e["claim_line_id"] is not None for e in entries)
        assert all(e["source"].startswith(f"835 {result.sha256[:16]}") for e in entries)
        assert all(e["remittance_file_id"] is not None for e in entries)
        patient = [e for e in entries if e["account"] == "patient_responsibility"]
        assert patient[0]["patient_id"] is not None and patient[0]["claim_line_id"] is not None
        transition = work.claims.transitions(work.claims.by_pcn(["V-1"])["V-1"].id)[-1]
        assert (transition["from_state"], transition["to_state"]) == ("submitted", "partially_paid")
        assert transition["actor"] == "test" and "CLP" in transition["reason"]


def test_a_full_denial_goes_to_the_denial_queue_with_its_dollars(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-2", ONE)])
    claim = clp(
        "V-2",
        "4",
        "110.00",
        "0.00",
        svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1, remarks=("N115",)),
    )
    result = post(store, org, write(tmp_path, "b.835", remittance([claim], "0.00")))
    assert result.denials == 1
    assert sums(store, org, "V-2") == {"adjustment_CO": D("110.00")}
    with uow(store, org) as work:
        assert work.claims.state_of("V-2") == "denied"
        item = work.work.items("denial")[0]
        assert (item["amount"], item["carc"]) == (D("110.00"), "50")
        assert "medical_necessity" in item["reason"] and "N115" in item["reason"]


def test_a_reversal_then_repayment_adds_entries_that_name_what_they_reverse(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-3", ONE)])
    first = clp(
        "V-3",
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    )
    post(store, org, write(tmp_path, "c1.835", remittance([first], "47.20")))
    reversal = clp(
        "V-3",
        "22",
        "-110.00",
        "-47.20",
        svc(
            "97110",
            "-110.00",
            "-47.20",
            cas("CO", "45", "-51.00"),
            cas("PR", "2", "-11.80"),
            line=1,
        ),
    )
    # Repaid: 110.00 - 48.00 - 12.00 = 50.00. BPR: -47.20 + 50.00 = 2.80.
    again = clp(
        "V-3",
        "1",
        "110.00",
        "50.00",
        svc("97110", "110.00", "50.00", cas("CO", "45", "48.00"), cas("PR", "2", "12.00"), line=1),
        payer_claim="PCN0002",
    )
    result = post(store, org, write(tmp_path, "c2.835", remittance([reversal, again], "2.80")))
    assert (result.reversals, result.findings) == (1, [])
    assert sums(store, org, "V-3") == {
        "payer_payment": D("50.00"),
        "adjustment_CO": D("48.00"),
        "patient_responsibility": D("12.00"),
    }
    with uow(store, org) as work:
        entries = work.ledger.entries()
        originals = {e["id"]: e for e in entries[:3]}
        reversals = entries[3:6]
        assert [e["amount"] for e in reversals] == [D("-47.20"), D("-51.00"), D("-11.80")]
        assert [originals[e["reverses_entry_id"]]["amount"] for e in reversals] == [
            D("47.20"),
            D("51.00"),
            D("11.80"),
        ]
        claim_id = work.claims.by_pcn(["V-3"])["V-3"].id
        states = [(t["from_state"], t["to_state"]) for t in work.claims.transitions(claim_id)]
        assert states == [("submitted", "paid"), ("paid", "accepted"), ("accepted", "paid")]


def test_provider_level_adjustments_post_to_the_provider_account_with_their_reference(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-4", ONE)])
    claim = clp(
        "V-4",
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    )
    # 47.20 - 20.00 recovered + 1.50 interest paid = 28.70.
    adjustments = [plb(("WO", "20.00", "OVP123"), ("L6", "-1.50", ""))]
    path = write(tmp_path, "d.835", remittance([claim], "28.70", adjustments))
    result = post(store, org, path)
    assert result.findings == [] and result.provider_adjustments == D("18.50")
    totals = sums(store, org)
    assert totals["provider_adjustment"] == D("-18.50")
    assert totals["payer_payment"] + totals["provider_adjustment"] == D("28.70")
    with uow(store, org) as work:
        memos = [e["memo"] for e in work.ledger.entries() if e["account"] == "provider_adjustment"]
        assert memos == ["PLB WO ref OVP123", "PLB L6"]


def test_claim_level_and_line_level_adjustments_sum_to_the_claim_amounts(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", TWO), visit("V-6", ONE)])
    # V-1: lines pay 59.00 + 56.00; claim-level PR-1 deductible 15.00: 166 - 51 - 15 = 100.00.
    mixed = clp(
        "V-1",
        "1",
        "166.00",
        "100.00",
        svc("97110", "110.00", "59.00", cas("CO", "45", "51.00"), line=1),
        svc("97140", "56.00", "56.00", line=2),
        adjustments=(cas("PR", "1", "15.00"),),
    )
    # V-6: no service lines; all to the deductible and the contract: 110 - 59 - 51 = 0.00.
    claim_only = clp(
        "V-6",
        "1",
        "110.00",
        "0.00",
        adjustments=(cas("PR", "1", "59.00"), cas("CO", "45", "51.00")),
    )
    result = post(store, org, write(tmp_path, "e.835", remittance([mixed, claim_only], "100.00")))
    assert (result.posted, result.findings, result.denials) == (2, [], 0)
    assert sums(store, org, "V-1") == {
        "payer_payment": D("100.00"),
        "adjustment_CO": D("51.00"),
        "patient_responsibility": D("15.00"),
    }
    assert sums(store, org, "V-6") == {
        "patient_responsibility": D("59.00"),
        "adjustment_CO": D("51.00"),
    }
    with uow(store, org) as work:
        assert work.claims.state_of("V-6") == "paid"


def test_lines_match_when_the_payer_drops_a_modifier_or_changes_the_code(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", TWO)])
    changed = rm.Procedure("HC", "97140", ("GP",))
    claim = clp(
        "V-1",
        "1",
        "166.00",
        "166.00",
        svc("97530", "56.00", "56.00", modifiers=("GP",), original=changed),
        svc("97110", "110.00", "110.00", modifiers=()),
    )
    post(store, org, write(tmp_path, "f.835", remittance([claim], "166.00")))
    with uow(store, org) as work:
        record = work.claims.by_pcn(["V-1"])["V-1"]
        payment = work.remits.claim_payments(record.id)[0]
        lines = work.remits.line_payments(payment["id"])
        by_number = {line.id: line.line_number for line in record.lines}
        assert [(lp["code"], by_number[lp["claim_line_id"]]) for lp in lines] == [
            ("97530", 2),
            ("97110", 1),
        ]


def test_an_unmatched_claim_goes_to_the_exceptions_queue_and_the_rest_is_posted(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-4", ONE)])
    ours = clp("V-4", "1", "110.00", "110.00", svc("97110", "110.00", "110.00", line=1))
    stranger = clp("NOPE-1", "1", "30.00", "30.00")
    result = post(store, org, write(tmp_path, "g.835", remittance([ours, stranger], "140.00")))
    assert (result.posted, result.unmatched) == (1, 1)
    assert sums(store, org) == {"payer_payment": D("110.00"), "unapplied_payment": D("30.00")}
    with uow(store, org) as work:
        item = work.work.items("exception")[0]
        assert "NOPE-1" in item["reason"] and item["amount"] == D("30.00")


def test_an_unbalanced_claim_goes_to_exceptions_not_to_the_ledger(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-4", ONE), visit("V-5", ONE)])
    good = clp("V-4", "1", "110.00", "110.00", svc("97110", "110.00", "110.00", line=1))
    # 110.00 - 51.00 = 59.00, not the 50.00 paid.
    bad = clp(
        "V-5",
        "1",
        "110.00",
        "50.00",
        svc("97110", "110.00", "50.00", cas("CO", "45", "51.00"), line=1),
    )
    result = post(store, org, write(tmp_path, "h.835", remittance([good, bad], "160.00")))
    assert (result.posted, result.unbalanced) == (1, 1)
    assert any("does not balance" in f for f in result.findings)
    assert sums(store, org, "V-5") == {}
    with uow(store, org) as work:
        assert work.claims.state_of("V-5") == "submitted"
        assert "V-5" in work.work.items("exception")[0]["reason"]


def test_a_reason_code_too_long_for_cas02_is_a_finding_on_both_databases(
    store: Store, tmp_path: Path
) -> None:
    # CAS02 is at most 5 characters (the carc column's width): such a claim is not posted,
    # the others are, and neither database cuts the code or refuses the file
    org = seed(store, [visit("V-4", ONE), visit("V-5", ONE)])
    good = clp("V-4", "1", "110.00", "110.00", svc("97110", "110.00", "110.00", line=1))
    bad = clp("V-5", "1", "110.00", "59.00",
              svc("97110", "110.00", "59.00", cas("CO", "4599999", "51.00"), line=1))  # fmt: skip
    result = post(store, org, write(tmp_path, "long.835", remittance([good, bad], "169.00")))
    assert (result.posted, result.unbalanced) == (1, 1)
    assert any("CAS reason '4599999' is longer than 5 characters" in f for f in result.findings)
    assert sums(store, org, "V-5") == {}


def test_posting_the_same_file_twice_changes_nothing_and_says_so(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", TWO)])
    path = write(tmp_path, "a.835", remittance([partial_payment()], "47.20"))
    post(store, org, path)
    before = row_counts(store)
    again = post(store, org, path)
    assert again.already_posted and again.posted == 0
    assert row_counts(store) == before


def test_a_file_that_fails_midway_leaves_every_table_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = seed(store, [visit("V-4", ONE), visit("V-5", ONE)])
    claims = [
        clp(p, "1", "110.00", "110.00", svc("97110", "110.00", "110.00", line=1))
        for p in ("V-4", "V-5")
    ]
    path = write(tmp_path, "i.835", remittance(claims, "220.00"))
    before = row_counts(store)
    real = posting.post_claim
    calls: list[str] = []

    def failing(claim: rm.ClaimPayment, *args: Any, **kwargs: Any) -> PostedClaim:
        calls.append(claim.patient_control_number)
        if len(calls) == 2:
            raise RuntimeError("disk on fire after the first claim was posted")
        return real(claim, *args, **kwargs)

    monkeypatch.setattr(posting, "post_claim", failing)
    with pytest.raises(RuntimeError):
        post(store, org, path)
    assert calls == ["V-4", "V-5"]
    assert row_counts(store) == before
    monkeypatch.setattr(posting, "post_claim", real)
    assert post(store, org, path).posted == 2
