"""Fixing a held claim by hand: a claim held for a diagnosis that cannot be billed is
fixed (diagnoses, a line's pointers and modifiers), scrubbed again and ready; bad edits are
refused and change nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ptrcm.bootstrap import build_context
from ptrcm.domain.access import Role
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.errors import InputError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.services.work.held import HeldEdits, LineEdit, fix_held_claim, release_many
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from ptrcm.x12.claim837.read import read_837
from tests.builders.visits import billable, write_jsonl
from tests.integration.posting.builders import NOW
from tests.web_access import FAST, add_member, csrf, sign_in

CTX = build_context()


def test_a_held_claim_fixed_by_hand_is_scrubbed_again_and_ready(
    store: Store, tmp_path: Path
) -> None:
    org = store.ensure_organization("default")
    work = lambda: claims_unit_of_work(store, org, "user:bea")  # noqa: E731
    path = write_jsonl(tmp_path / "v.jsonl", [billable(diagnoses=["M54.1"])])
    import_visits(work, path)  # type: ignore[arg-type]
    lifecycle.build_claims(work, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(CTX.config, CTX.catalog, Icd10Codes(), date(2026, 3, 3))
    first = lifecycle.scrub_claims(work, scrubber, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    assert first.held == ["V-1"], first
    bad = HeldEdits(("M54.16", "M62.81"), {1: LineEdit(dx_pointers=(3,))})
    with pytest.raises(InputError, match="pointers must name diagnoses 1 to 2"):
        fix_held_claim(work, scrubber, CTX.config, CTX.catalog, "V-1", bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no held or rejected claim"):
        fix_held_claim(work, scrubber, CTX.config, CTX.catalog, "V-9", HeldEdits())  # type: ignore[arg-type]
    edits = HeldEdits(("M54.16", "M62.81"), {1: LineEdit(modifiers=("GP",), dx_pointers=(1, 2))})
    again = fix_held_claim(work, scrubber, CTX.config, CTX.catalog, "V-1", edits)  # type: ignore[arg-type]
    assert again.ready == ["V-1"] and again.held == []
    with work() as uow:
        record = uow.claims.by_pcn(["V-1"])["V-1"]
        visit = uow.visits.get("V-1")
        audited = uow.audit.events("visits")
    assert record.state == "ready" and record.lines[0].dx_pointers == (1, 2)
    assert visit is not None and visit.diagnoses == ("M54.16", "M62.81")
    assert any(a["action"] == "update" and a["actor"] == "user:bea" for a in audited)


def test_the_claim_page_fixes_and_releases_a_held_claim(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    org = store.ensure_organization("default")
    work = lambda: claims_unit_of_work(store, org, "t")  # noqa: E731
    import_visits(work, write_jsonl(tmp_path / "v.jsonl", [billable(diagnoses=["M54.1"])]))  # type: ignore[arg-type]
    lifecycle.build_claims(work, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(CTX.config, CTX.catalog, Icd10Codes(), date(2026, 3, 3))
    lifecycle.scrub_claims(work, scrubber, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    app = create_app(WebSettings(db_url, "Clinic", lambda: date(2026, 3, 3), passwords=FAST))
    add_member(app, "bea", Role.biller, "default")
    client = TestClient(app)
    sign_in(client, "bea")
    page = client.get("/claims/V-1")
    assert 'action="/claims/V-1/fix"' in page.text and 'action="/claims/V-1/release"' in page.text
    token = csrf(client)
    bad = client.post("/claims/V-1/fix", data={"line": "1", "pointers": "7", "csrf_token": token},
                      follow_redirects=False)  # fmt: skip
    assert bad.status_code == 400 and "pointers must name diagnoses" in bad.text
    done = client.post(
        "/claims/V-1/fix",
        data={"diagnoses": "M54.16 M62.81", "line": "1", "pointers": "1 2", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with work() as uow:
        record = uow.claims.by_pcn(["V-1"])["V-1"]
    assert record.state == "ready" and record.lines[0].dx_pointers == (1, 2)
    gone = client.post("/claims/V-1/release", data={"reason": "x", "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert gone.status_code == 404  # no longer held


def test_a_rejected_claim_is_corrected_and_resubmitted(store: Store, tmp_path: Path) -> None:
    org = store.ensure_organization("default")
    work = lambda: claims_unit_of_work(store, org, "user:bea")  # noqa: E731
    import_visits(work, write_jsonl(tmp_path / "v.jsonl", [billable()]))  # type: ignore[arg-type]
    lifecycle.build_claims(work, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(CTX.config, CTX.catalog, Icd10Codes(), date(2026, 3, 3))
    lifecycle.scrub_claims(work, scrubber, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    for pcn in lifecycle.scrub_claims(work, scrubber, CTX.config, CTX.catalog).held:  # type: ignore[arg-type]
        lifecycle.release_claim(work, pcn, "test")  # type: ignore[arg-type]
    lifecycle.submit_claims(work, CTX.config, CTX.catalog, tmp_path / "out")  # type: ignore[arg-type]
    with work() as uow:  # a 277CA rejected it (the rendering NPI, say)
        (head,) = uow.lifecycle.claims_in(["submitted"])
        step = apply_event("V-1", ClaimState.SUBMITTED, ClaimEvent.ACK_REJECTED, "t", NOW)
        uow.lifecycle.record_transitions([(head.id, head.version_id, step)])
        uow.commit()
    result = fix_held_claim(work, scrubber, CTX.config, CTX.catalog, "V-1",  # type: ignore[arg-type]
                            HeldEdits(rendering_npi="1245319599"))  # fmt: skip
    assert "V-1" in result.ready + result.held
    for pcn in result.held:
        lifecycle.release_claim(work, pcn, "test")  # type: ignore[arg-type]
    (batch,) = lifecycle.submit_claims(work, CTX.config, CTX.catalog, tmp_path / "again")  # type: ignore[arg-type]
    (sent,) = read_837(batch.file.read_text(encoding="ascii"))
    assert sent.claim_id == "V-1" and sent.rendering.npi == "1245319599"
    assert sent.frequency == "1"  # never accepted: resubmitted as an original


def test_bulk_release_is_all_or_nothing(store: Store, tmp_path: Path) -> None:
    org = store.ensure_organization("default")
    work = lambda: claims_unit_of_work(store, org, "user:bea")  # noqa: E731
    import_visits(work, write_jsonl(tmp_path / "v.jsonl", [billable(diagnoses=["M54.1"])]))  # type: ignore[arg-type]
    lifecycle.build_claims(work, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(CTX.config, CTX.catalog, Icd10Codes(), date(2026, 3, 3))
    lifecycle.scrub_claims(work, scrubber, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no held claim 'NOPE'"):
        release_many(work, ["V-1", "NOPE"], "payer confirmed")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="needs a reason"):
        release_many(work, ["V-1"], " ")  # type: ignore[arg-type]
    with work() as uow:
        assert uow.claims.by_pcn(["V-1"])["V-1"].state == "held"
    assert release_many(work, ["V-1", "V-1"], "payer confirmed") == ["V-1"]  # type: ignore[arg-type]
    with work() as uow:
        assert uow.claims.by_pcn(["V-1"])["V-1"].state == "ready"
