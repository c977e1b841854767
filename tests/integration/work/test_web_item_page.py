"""A work item's own page over HTTP, and the rejection a fix answers. SQLite and PostgreSQL.

* An 835 claim that matched none of ours is an item with no claim: the queue links it,
  its page offers Resolve, and the status POST answers back to the item page; a claim's
  item answers back to the claim page unless the form was on the item's page; the claim's
  timeline shows the item's change; an auditor reads the page without a form;
  ``H-<claim>`` redirects to the claim page.
* A rejected claim's fix form starts from its visit's fields, and the fix that makes it
  ready marks its rejection item done (event ``fixed``); one that leaves it held does not.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from ptrcm.bootstrap import build_context
from ptrcm.domain.access import Role
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.domain.work_queue import WorkItem
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.services.work.held import HeldEdits, fix_fields, fix_held_claim, settle_rejections
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.builders.visits import billable, write_jsonl
from tests.integration.posting.builders import NOW, cas, clp, post, remittance, svc, write
from tests.integration.work.helpers import as_actor, denied_claim
from tests.web_access import FAST, add_member, csrf, sign_in

CTX = build_context()
DAY = date(2026, 3, 24)


def _client(app: object, username: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    sign_in(client, username)
    return client


def test_an_item_without_a_claim_is_resolved_on_its_own_page(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    org = denied_claim(store, tmp_path)
    stray = clp("NOT-OURS-1", "1", "120.00", "80.00",
                svc("97110", "120.00", "80.00", cas("CO", "45", "40.00"), line=1))  # fmt: skip
    post(store, org, write(tmp_path, "stray.835", remittance([stray], "80.00", trace="S1")))
    with as_actor(store, org, "t") as uow:
        (exception,) = uow.work.items("exception")
        (denial,) = uow.work.items("denial")
        claim_id = uow.claims.by_pcn(["V-1"])["V-1"].id
    assert exception["claim_id"] is None
    with store.engine.begin() as conn:
        slug = conn.exec_driver_sql(f"SELECT slug FROM organizations WHERE id = {org}").scalar()
    settings = WebSettings(db_url, "Clinic", lambda: DAY, passwords=FAST,
                           now=lambda: datetime(2026, 3, 24, 15, tzinfo=UTC))  # fmt: skip
    app = create_app(settings)
    add_member(app, "bea", Role.biller, str(slug))
    add_member(app, "aud", Role.auditor, str(slug))
    bea = _client(app, "bea")
    token = csrf(bea)
    ex_id, ex_version = int(exception["id"]), int(exception["version"])
    assert f'href="/queues/items/W-{ex_id}"' in bea.get("/queues/unmatched-remittances").text
    page = bea.get(f"/queues/items/W-{ex_id}").text
    assert 'aria-label="Resolve"' in page and "no claim of ours" in page and "NOT-OURS-1" in page
    auditor = _client(app, "aud").get(f"/queues/items/W-{ex_id}")
    assert auditor.status_code == 200 and "NOT-OURS-1" in auditor.text
    assert 'aria-label="Resolve"' not in auditor.text  # read-only
    done = bea.post(f"/queues/items/{ex_id}/status",
                    data={"version": str(ex_version), "state": "done",
                          "reason": "another clinic's claim", "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert (done.status_code, done.headers["location"]) == (303, f"/queues/items/{ex_id}")
    page = bea.get(f"/queues/items/{ex_id}").text
    assert "another clinic&#39;s claim" in page and "status → done" in page
    assert 'aria-label="Resolve"' not in page  # done: nothing left to do
    assert f"/queues/items/W-{ex_id}" not in bea.get("/queues/unmatched-remittances").text
    d_id, d_version = int(denial["id"]), int(denial["version"])
    noted = bea.post(f"/queues/items/{d_id}/note",
                     data={"version": str(d_version), "text": "called the payer",
                           "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert noted.headers["location"] == "/claims/V-1"
    again = bea.post(f"/queues/items/{d_id}/note",
                     data={"version": str(d_version + 1), "text": "faxed", "came_from": "item",
                           "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert again.headers["location"] == f"/queues/items/{d_id}"
    timeline = bea.get("/claims/V-1").text
    assert f"Denial item W-{d_id}: note" in timeline and "called the payer; by user:bea" in timeline
    held = bea.get(f"/queues/items/H-{claim_id}", follow_redirects=False)
    assert (held.status_code, held.headers["location"]) == (303, "/claims/V-1")
    assert bea.get("/queues/items/W-999999").status_code == 404
    assert bea.get("/queues/items/H-999999").status_code == 404
    assert bea.get("/queues/items/X-1").status_code == 400  # not an item reference


def _rejected(store: Store, tmp_path: Path) -> tuple[int, object]:
    """An organization whose claim V-1 a 277CA rejected, with its open rejection item."""
    org = store.ensure_organization("default")
    work = lambda: claims_unit_of_work(store, org, "user:bea")  # noqa: E731
    import_visits(work, write_jsonl(tmp_path / "v.jsonl", [billable()]))  # type: ignore[arg-type]
    lifecycle.build_claims(work, CTX.config, CTX.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(CTX.config, CTX.catalog, Icd10Codes(), date(2026, 3, 3))
    for pcn in lifecycle.scrub_claims(work, scrubber, CTX.config, CTX.catalog).held:  # type: ignore[arg-type]
        lifecycle.release_claim(work, pcn, "test")  # type: ignore[arg-type]
    lifecycle.submit_claims(work, CTX.config, CTX.catalog, tmp_path / "out")  # type: ignore[arg-type]
    with work() as uow:
        (head,) = uow.lifecycle.claims_in(["submitted"])
        step = apply_event("V-1", ClaimState.SUBMITTED, ClaimEvent.ACK_REJECTED, "t", NOW)
        uow.lifecycle.record_transitions([(head.id, head.version_id, step)])
        uow.commit()
    with as_actor(store, org, "t") as uow:
        uow.work.add(WorkItem("rejection", "claim V-1: 277CA A7:255", head.id))
        uow.commit()
    return org, scrubber


def test_the_fix_that_makes_a_rejected_claim_ready_answers_its_rejection(
    store: Store, tmp_path: Path
) -> None:
    org, scrubber = _rejected(store, tmp_path)
    work = lambda: claims_unit_of_work(store, org, "user:bea")  # noqa: E731
    fields = fix_fields(work, "V-1")  # type: ignore[arg-type]
    assert fields is not None and fields["diagnoses"]
    assert re.fullmatch(r"\d{10}", fields["rendering_npi"])
    category = HeldEdits(diagnoses=("M54.1",))  # a category, not billable: still held
    held = fix_held_claim(work, scrubber, CTX.config, CTX.catalog, "V-1", category)  # type: ignore[arg-type]
    assert held.held == ["V-1"]
    assert settle_rejections(work, "V-1", held) == 0  # type: ignore[arg-type]
    with as_actor(store, org, "t") as uow:
        assert [i["state"] for i in uow.work.items("rejection")] == ["open"]
    edits = HeldEdits(diagnoses=tuple(fields["diagnoses"].split()))
    ready = fix_held_claim(work, scrubber, CTX.config, CTX.catalog, "V-1", edits)  # type: ignore[arg-type]
    assert ready.ready == ["V-1"]
    assert settle_rejections(work, "V-1", ready) == 1  # type: ignore[arg-type]
    assert settle_rejections(work, "V-1", ready) == 0  # type: ignore[arg-type]  # once
    with as_actor(store, org, "t") as uow:
        (item,) = uow.work.items("rejection")
        events = [(e["actor"], e["event"]) for e in uow.worklog.history(int(item["id"]))]
    assert item["state"] == "done" and events == [("user:bea", "fixed")]
    assert fix_fields(work, "V-1") is None  # type: ignore[arg-type]  # ready: nothing to fix
