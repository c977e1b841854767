"""Corrected (frequency 7) and void (frequency 8) claims end to end: made from denied
claims with REF*F8 = the 835's CLP07, scrubbed and submitted in an 837 that pyx12
validates, answered by the payer simulator (the correction adjudicated in place of the
original, not as a duplicate; the void acknowledged, not paid); each claim's history
tells original → correction → outcome. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ptrcm.errors import InputError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.acks import post_acknowledgment
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.work.replacements import LineChange, correct_claim, void_claim
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_transitions, claims
from ptrcm.synth.payer import PayerSimulator
from ptrcm.synth.payer_profile import MemberFile, load_profile
from ptrcm.web.store_data import StoreData
from ptrcm.x12.claim837.read import read_837
from tests.integration.posting.builders import (
    CONTEXT,
    NOW,
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
from tests.x12_oracle import pyx12_answer_errors, pyx12_errors


def _denied(pcn: str, number: str) -> object:
    return clp(
        pcn, "4", "110.00", "0.00",
        svc("97110", "110.00", "0.00", cas("CO", "4", "110.00"), line=1),
        payer_claim=number,
    )  # fmt: skip


def _history(store: Store, org: int, pcn: str) -> list[tuple[str | None, str]]:
    return [(a, b) for a, b, _why in _told(store, org, pcn)]


def _told(store: Store, org: int, pcn: str) -> list[tuple[str | None, str, str]]:
    with store.engine.connect() as conn:
        query = (
            select(
                claim_transitions.c.from_state,
                claim_transitions.c.to_state,
                claim_transitions.c.reason,
            )
            .join(claims, claims.c.id == claim_transitions.c.claim_id)
            .where(claims.c.org_id == org, claims.c.pcn == pcn)
            .order_by(claim_transitions.c.id)
        )
        return [(a, b, why) for a, b, why in conn.execute(query)]


def _page_story(store: Store, org: int, pcn: str) -> list[str]:
    """The titles of the claim page's timeline, in its order."""
    detail = StoreData(store, org).claim(pcn)
    assert detail is not None
    return [e.title for e in detail.timeline]


def test_a_correction_and_a_void_go_out_in_a_valid_837_and_the_payer_answers_them(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", [("97110", 30)]), visit("V-2", [("97110", 30)])])
    denials = remittance([_denied("V-1", "CCN-111"), _denied("V-2", "CCN-222")], "0.00")
    post(store, org, write(tmp_path, "denied.835", denials))
    work = lambda: claims_unit_of_work(store, org, "user:bea", lambda: NOW)  # noqa: E731
    fixed = correct_claim(
        work, "V-1", "modifier KX was missing", {1: LineChange(modifiers=("GP", "KX"))}
    )
    voided = void_claim(work, "V-2", "billed to the wrong payer")
    assert (fixed, voided) == ("V-1-C1", "V-2-V1")
    scrubber = Scrubber(CONTEXT.config, CONTEXT.catalog, Icd10Codes(), date(2026, 3, 21))
    scrubbed = lifecycle.scrub_claims(work, scrubber, CONTEXT.config, CONTEXT.catalog)
    for pcn in scrubbed.held:
        lifecycle.release_claim(work, pcn, "test: send as corrected")
    (batch,) = lifecycle.submit_claims(work, CONTEXT.config, CONTEXT.catalog, tmp_path / "out")
    text = batch.file.read_text(encoding="ascii")
    assert pyx12_errors(text) == []
    segments = [s.strip() for s in text.split("~")]
    clm = {s.split("*")[1]: s for s in segments if s.startswith("CLM*")}
    assert clm["V-1-C1"].split("*")[5].endswith(":7") and clm["V-2-V1"].split("*")[5].endswith(":8")
    assert "REF*F8*CCN-111" in segments and "REF*F8*CCN-222" in segments
    sent = {c.claim_id: c for c in read_837(text)}
    assert sent["V-1-C1"].lines[0].modifiers == ("GP", "KX")
    assert (sent["V-1-C1"].frequency, sent["V-1-C1"].payer_claim_number) == ("7", "CCN-111")
    assert (sent["V-2-V1"].frequency, sent["V-2-V1"].payer_claim_number) == ("8", "CCN-222")
    codes = {p.payer_code: pid for pid, p in CONTEXT.config.payers.items()}
    payer = PayerSimulator(
        load_profile("medicare"), MemberFile(), CONTEXT.config.clinic, payer_ids=codes, seed=3
    )
    answer = payer.answer(text, batch.file.name, date(2026, 3, 22))
    assert sorted(n.rsplit(".", 1)[1] for n in answer.files) == ["277ca", "835", "999"]
    for name, answered in answer.files.items():
        assert pyx12_answer_errors(answered) == [], name
    outcomes = {o.pcn: o for o in answer.outcomes}
    assert outcomes["V-1-C1"].rejected is None and outcomes["V-1-C1"].denial != "18"
    assert outcomes["V-2-V1"].paid.amount == 0 and outcomes["V-2-V1"].remit_date is None
    remit = next(t for n, t in answer.files.items() if n.endswith(".835"))
    assert "CLP*V-1-C1*" in remit and "CLP*V-2-V1*" not in remit
    acks = next(n for n in answer.files if n.endswith(".277ca"))
    assert "TRN*2*V-1-C1" in answer.files[acks] and "TRN*2*V-2-V1" in answer.files[acks]
    acked = post_acknowledgment(
        lambda: uow(store, org), write_text(tmp_path / acks, answer.files[acks])
    )
    assert (acked.accepted, acked.rejected, acked.unmatched) == (2, 0, [])
    post(store, org, write_text(tmp_path / "answer.835", remit))
    assert _history(store, org, "V-1")[-1] == ("denied", "corrected")
    assert _history(store, org, "V-2")[-1] == ("denied", "voided")
    story = [to for _, to in _history(store, org, "V-1-C1")]
    assert story[:6] == ["built", "scrubbed", "held", "ready", "submitted", "accepted"]
    assert story[6:] in (["paid"], ["partially_paid"], ["denied"])  # the payer's answer
    assert len(story) == 7
    assert [to for _, to in _history(store, org, "V-2-V1")][-2:] == ["submitted", "accepted"]
    _a_history_tells_original_then_correction_then_outcome(store, org)


def _a_history_tells_original_then_correction_then_outcome(store: Store, org: int) -> None:
    """Each claim names the other (the transitions' reasons) and the claim pages read in
    that order: the original denied then corrected, the correction built from it, sent
    with frequency 7 and answered; the void sent with frequency 8 and only acknowledged."""
    original, correction = _told(store, org, "V-1"), _told(store, org, "V-1-C1")
    assert original[-2][1:] == ("denied", "835 " + original[-2][2].split(" ", 1)[1])
    assert original[-1][:2] == ("denied", "corrected") and "V-1-C1" in original[-1][2]
    assert correction[0] == (None, "built", "correction of claim V-1 (frequency 7, REF*F8 CCN-111)")
    assert correction[-1][2].startswith("835 ")  # the outcome came from the payer's 835
    assert _told(store, org, "V-2-V1")[0][2] == "void of claim V-2 (frequency 8, REF*F8 CCN-222)"
    page = _page_story(store, org, "V-1")  # dated events: same-day ones keep their kind order
    assert page.index("835: denied") < page.index("State denied → corrected")
    detail = StoreData(store, org).claim("V-1-C1")
    assert detail is not None
    built = next(e for e in detail.timeline if e.title.startswith("Claim built"))
    assert built.detail == "1 lines: correction of claim V-1 (frequency 7, REF*F8 CCN-111)"
    page = [e.title for e in detail.timeline]
    sent = page.index("Submitted 837P (version 1, frequency 7)")
    assert page.index("Claim built (837P)") < sent < page.index("277CA accepted")
    assert page.index("277CA accepted") < len(page) - 1 and page[-1].startswith("835: ")
    void = _page_story(store, org, "V-2-V1")
    assert void.index("Submitted 837P (version 1, frequency 8)") < void.index("277CA accepted")
    assert not any(t.startswith("835") for t in void)  # a void is acknowledged, never paid


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="ascii")
    return path


def test_only_an_adjudicated_claim_is_corrected_and_a_void_needs_a_reason(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", [("97110", 30)])])
    work = lambda: claims_unit_of_work(store, org, "user:bea", lambda: NOW)  # noqa: E731
    with pytest.raises(InputError, match="only an adjudicated claim"):
        correct_claim(work, "V-1", "too early")
    with pytest.raises(InputError, match="needs a reason"):
        void_claim(work, "V-1", " ")
    post(store, org, write(tmp_path, "d.835", remittance([_denied("V-1", "CCN-1")], "0.00")))
    with pytest.raises(InputError, match="no line 7"):
        correct_claim(work, "V-1", "x", {7: LineChange(units=2)})
    assert correct_claim(work, "V-1", "units", {1: LineChange(units=3)}) == "V-1-C1"
    with claims_unit_of_work(store, org, "t") as uow:
        (line,) = uow.claims.by_pcn(["V-1-C1"])["V-1-C1"].lines
    assert line.units == 3
