"""999 and 277CA acknowledgments move claims to rejected (with the payer's reason in the
rejections queue) or accepted; posting the same file twice changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update

from ptrcm.services.claims.acks import post_acknowledgment, post_acknowledgments
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_versions
from tests.integration.posting.builders import (
    ack_277ca,
    ack_999,
    row_counts,
    seed,
    uow,
    visit,
)

ONE = [("97110", 30)]


def _batch(store: Store, org: int, pcns: list[str], gs: int, st: int) -> int:
    with uow(store, org) as work:
        batch = work.claims.add_batch(
            "837P", f"b{gs}.837", gs, gs, st, st, len(pcns), Decimal("110.00") * len(pcns)
        )
        records = work.claims.by_pcn(pcns)
        for record in records.values():
            work.connection.execute(
                update(claim_versions)
                .where(claim_versions.c.id == record.version_id)
                .values(batch_id=batch)
            )
        work.commit()
    return batch


def test_a_999_rejected_set_rejects_every_claim_of_its_batch(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-10", ONE), visit("V-11", ONE), visit("V-12", ONE)])
    _batch(store, org, ["V-10", "V-11"], gs=41, st=7)
    _batch(store, org, ["V-12"], gs=42, st=8)
    result = post_acknowledgment(lambda: uow(store, org), ack_999(tmp_path, 41, 7, "R"))
    assert (result.rejected, result.unmatched) == (2, [])
    with uow(store, org) as work:
        states = {p: work.claims.state_of(p) for p in ("V-10", "V-11", "V-12")}
        assert states == {"V-10": "rejected", "V-11": "rejected", "V-12": "submitted"}
        reasons = [i["reason"] for i in work.work.items("rejection")]
        assert len(reasons) == 2 and all("IK5 R" in r and "IK3 NM1" in r for r in reasons)


def test_a_999_accepted_set_moves_its_claims_to_accepted(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-12", ONE)])
    _batch(store, org, ["V-12"], gs=42, st=8)
    result = post_acknowledgment(lambda: uow(store, org), ack_999(tmp_path, 42, 8, "A"))
    assert (result.accepted, result.rejected) == (1, 0)
    with uow(store, org) as work:
        assert work.claims.state_of("V-12") == "accepted"


def test_a_277ca_rejection_goes_to_the_rejections_queue_with_the_payers_reason(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-13", ONE)])
    path = ack_277ca(tmp_path, "V-13", "A7", "562")
    result = post_acknowledgment(lambda: uow(store, org), path)
    assert result.rejected == 1
    with uow(store, org) as work:
        assert work.claims.state_of("V-13") == "rejected"
        (item,) = work.work.items("rejection")
        assert "A7:562:PR" in item["reason"] and "Member id invalid" in item["reason"]
        assert item["amount"] == Decimal("110.00")
    before = row_counts(store)
    again = post_acknowledgment(lambda: uow(store, org), path)
    assert again.already_posted and row_counts(store) == before


def test_a_277ca_acceptance_moves_the_claim_to_accepted(store: Store, tmp_path: Path) -> None:
    org = seed(store, [visit("V-14", ONE)])
    result = post_acknowledgment(lambda: uow(store, org), ack_277ca(tmp_path, "V-14", "A2", "20"))
    assert (result.accepted, result.rejected) == (1, 0)
    with uow(store, org) as work:
        assert work.claims.state_of("V-14") == "accepted"


def test_a_277ca_after_the_999_counts_its_acceptances_without_a_second_transition(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-15", ONE)])
    _batch(store, org, ["V-15"], gs=43, st=9)
    post_acknowledgment(lambda: uow(store, org), ack_999(tmp_path, 43, 9, "A"))
    result = post_acknowledgment(lambda: uow(store, org), ack_277ca(tmp_path, "V-15", "A1", "19"))
    assert (result.accepted, result.rejected) == (1, 0)
    with uow(store, org) as work:
        assert work.claims.state_of("V-15") == "accepted"
        steps = work.claims.transitions(work.claims.by_pcn(["V-15"])["V-15"].id)
    assert [s["to_state"] for s in steps].count("accepted") == 1


def test_several_files_post_in_one_call_as_they_would_one_by_one(
    store: Store, tmp_path: Path
) -> None:
    from ptrcm.store.tables import claim_facts

    org = seed(store, [visit("V-16", ONE), visit("V-17", ONE)])
    _batch(store, org, ["V-16", "V-17"], gs=44, st=10)
    files = [ack_999(tmp_path, 44, 10, "A"), ack_277ca(tmp_path, "V-17", "A7", "562")]
    results = post_acknowledgments(lambda: uow(store, org), [*files, files[0]])
    assert [(r.accepted, r.rejected, r.already_posted) for r in results] == [
        (2, 0, False), (0, 1, False), (0, 0, True)
    ]  # fmt: skip
    with uow(store, org) as work:
        assert {p: work.claims.state_of(p) for p in ("V-16", "V-17")} == {
            "V-16": "accepted", "V-17": "rejected"
        }  # fmt: skip
        (item,) = work.work.items("rejection")
        assert "A7:562:PR" in item["reason"]
        steps = work.claims.transitions(work.claims.by_pcn(["V-17"])["V-17"].id)
        assert [s["to_state"] for s in steps][-2:] == ["accepted", "rejected"]
        facts = work.connection.execute(
            select(claim_facts.c.state, claim_facts.c.ever_rejected).where(
                claim_facts.c.org_id == org
            )
        ).all()
    assert sorted((str(s), bool(r)) for s, r in facts) == [("accepted", False), ("rejected", True)]
    before = row_counts(store)
    again = post_acknowledgments(lambda: uow(store, org), files)
    assert all(r.already_posted for r in again) and row_counts(store) == before
