"""The claim page's actions over HTTP, as a biller and a manager: the forms are on the page,
a POST without the CSRF token is refused, an appeal marked sent and a note change the
database and leave history and audit rows under the member, a stale version is a 409, a
write-off above the biller's limit waits for a manager's approval. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from ptrcm.domain.access import Role
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.integration.work.helpers import as_actor, audit_rows, denied_claim
from tests.web_access import FAST, add_member, csrf, sign_in

DAY = date(2026, 3, 24)


def _client(app: object, username: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    sign_in(client, username)
    return client


def test_a_biller_works_the_denial_from_the_claim_page_and_a_manager_approves(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    org = denied_claim(store, tmp_path)
    with store.engine.begin() as conn:
        slug = conn.exec_driver_sql(f"SELECT slug FROM organizations WHERE id = {org}").scalar()
    settings = WebSettings(db_url, "Clinic", lambda: DAY, passwords=FAST,
                           now=lambda: datetime(2026, 3, 24, 15, tzinfo=UTC))  # fmt: skip
    app = create_app(settings)
    add_member(app, "bea", Role.biller, str(slug))
    add_member(app, "max", Role.manager, str(slug))
    bea = _client(app, "bea")
    page = bea.get("/claims/V-1")
    assert page.status_code == 200
    assert 'action="/claims/V-1/appeal-letter"' in page.text and "/queues/items/" in page.text
    token = csrf(bea)
    made = bea.post("/claims/V-1/appeal-letter", data={"csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    page = bea.get("/claims/V-1").text
    assert 'action="/claims/V-1/appeal-sent"' in page and "CO-50" in page  # the letter
    with as_actor(store, org, "t") as uow:
        (item,) = uow.work.items("denial")
    refused = bea.post("/claims/V-1/appeal-sent", data={"method": "fax", "on": "2026-03-24"},
                       follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403  # no CSRF token
    sent = bea.post(
        "/claims/V-1/appeal-sent",
        data={"method": "fax", "on": "2026-03-24", "letter": "Edited.", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/claims/V-1"
    assert 'action="/claims/V-1/appeal-outcome"' in bea.get("/claims/V-1").text
    version = int(item["version"]) + 1  # marking the appeal sent moved the item on
    noted = bea.post(f"/queues/items/{item['id']}/note",
                     data={"version": str(version), "text": "faxed", "csrf_token": token},
                     follow_redirects=False)  # fmt: skip
    assert noted.status_code == 303
    stale = bea.post(f"/queues/items/{item['id']}/note",
                     data={"version": str(version), "text": "again", "csrf_token": token},
                     follow_redirects=False)  # fmt: skip
    assert stale.status_code == 409
    asked = bea.post("/claims/V-1/write-off",
                     data={"amount": "110.00", "category": "medical_necessity",
                           "reason": "appeal lost", "csrf_token": token},
                     follow_redirects=False)  # fmt: skip
    assert asked.status_code == 303
    own = bea.post("/write-offs/1/decision", data={"decision": "approve", "csrf_token": token},
                   follow_redirects=False)  # fmt: skip
    assert own.status_code == 403  # a biller may not approve
    max_ = _client(app, "max")
    assert "waits for approval" in max_.get("/claims/V-1").text
    approved = max_.post("/write-offs/1/decision",
                         data={"decision": "approve", "csrf_token": csrf(max_)},
                         follow_redirects=False)  # fmt: skip
    assert approved.status_code == 303
    with as_actor(store, org, "t") as uow:
        (appeal,) = uow.appeals.all()
        history = uow.worklog.history(int(item["id"]))
        claim = uow.claims.by_pcn(["V-1"])["V-1"]
        (w,) = uow.write_offs.for_claim(claim.id)
    assert (appeal["submitted_on"], appeal["sent_method"], appeal["letter"]) == (
        DAY, "fax", "Edited.",
    )  # fmt: skip
    assert [(h["actor"], h["event"]) for h in history] == [
        ("user:bea", "appeal_sent"), ("user:bea", "note"), ("user:max", "write_off"),
    ]  # fmt: skip
    assert claim.state == "closed" and (w["requested_by"], w["decided_by"]) == (
        "user:bea",
        "user:max",
    )
    actors = {(a["actor"], a["action"]) for a in audit_rows(store, org, "write_offs")}
    assert actors == {("user:bea", "create"), ("user:max", "update")}
    assert bea.post("/claims/NOPE/close", data={"reason": "x", "csrf_token": token},
                    follow_redirects=False).status_code == 404  # fmt: skip
