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
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.work.replacements import LineChange, correct_claim, void_claim
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_transitions, claims
from ptrcm.synth.payer import PayerSimulator
from ptrcm.synth.payer_profile import MemberFile, load_profile
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
    visit,
    write,
)
from tests.x12_oracle import pyx12_errors


def _denied(pcn: str, number: str) -> object:
    return clp(
        pcn, "4", "110.00", "0.00",
        svc("97110", "110.00", "0.00", cas("CO", "4", "110.00"), line=1),
        payer_claim=number,
    )  # fmt: skip


def _history(store: Store, org: int, pcn: str) -> list[tuple[str | None, str]]:
    with store.engine.connect() as conn:
        query = (
            select(claim_transitions.c.from_state, claim_transitions.c.to_state)
            .join(claims, claims.c.id == claim_transitions.c.claim_id)
            .where(claims.c.org_id == org, claims.c.pcn == pcn)
            .order_by(claim_transitions.c.id)
        )
        return [(a, b) for a, b in conn.execute(query)]


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
    assert (sent["V-2-V1"].frequency, sent["V-2-V1"].payer_claim_number) == ("8", "CCN-222")
    codes = {p.payer_code: pid for pid, p in CONTEXT.config.payers.items()}
    payer = PayerSimulator(
        load_profile("medicare"), MemberFile(), CONTEXT.config.clinic, payer_ids=codes, seed=3
    )
    answer = payer.answer(text, batch.file.name, date(2026, 3, 22))
    outcomes = {o.pcn: o for o in answer.outcomes}
    assert outcomes["V-1-C1"].rejected is None and outcomes["V-1-C1"].denial != "18"
    assert outcomes["V-2-V1"].paid.amount == 0 and outcomes["V-2-V1"].remit_date is None
    remit = next(t for n, t in answer.files.items() if n.endswith(".835"))
    assert "CLP*V-1-C1*" in remit and "CLP*V-2-V1*" not in remit
    assert "V-2-V1" in answer.files[next(n for n in answer.files if n.endswith(".277ca"))]
    post(store, org, write_text(tmp_path / "answer.835", remit))
    assert _history(store, org, "V-1")[-1] == ("denied", "corrected")
    assert _history(store, org, "V-2")[-1] == ("denied", "voided")
    story = [to for _, to in _history(store, org, "V-1-C1")]
    assert story[:5] == ["built", "scrubbed", "held", "ready", "submitted"]
    assert story[5:] in (["paid"], ["partially_paid"], ["denied"])  # the payer's answer
    assert len(story) == 6


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
