"""The systemic-denial events page: a biller sees the organization's events (payer, reason,
summary, owner, due time, claim count — never the claims themselves), acknowledges one for
an owner and closes it; the CLI lists the same statuses; a front-desk member may not open
it. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from ptrcm.domain.access import Role
from ptrcm.domain.alerts.detect import Event, EventKind, Severity
from ptrcm.store.repository import Store, UnitOfWork
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.web_access import FAST, add_member, csrf, sign_in


def test_a_biller_acknowledges_and_closes_an_event(store: Store, db_url: str) -> None:
    app = create_app(WebSettings(db_url, "Clinic", lambda: date(2026, 3, 2), passwords=FAST))
    add_member(app, "bea", Role.biller)
    add_member(app, "fred", Role.front_desk)
    org = store.organization_id("default")
    other = store.create_organization("other", "Other clinic")
    assert org is not None
    spike = Event(EventKind.REASON_SPIKE, "MEDICARE", date(2026, 3, 2), Severity.HIGH, "197",
                  "CO-197 on 9 of 30 claims against 2 % over 60 days", 1e-7,
                  ("C-SECRET-1", "C-SECRET-2"))  # fmt: skip
    due = datetime(2026, 3, 3, 9, tzinfo=UTC)
    ids = {}
    for where in (org, other):
        with UnitOfWork(store.engine, where, "test") as uow:
            ids[where] = uow.alerts.add(spike, "billing lead", due)
            uow.commit()
    bea = TestClient(app)
    sign_in(bea, "bea")
    page = bea.get("/alerts")
    assert page.status_code == 200
    row = page.text.split(f'data-event="{ids[org]}"')[1].split("</tr>")[0]
    assert "MEDICARE" in row and "197" in row and "CO-197 on 9 of 30 claims" in row
    assert ">2<" in row and "billing lead" in row and "2026-03-03 09:00" in row
    assert "C-SECRET" not in page.text  # claim ids stay off the page
    assert page.text.count("data-event=") == 1  # not the other organization's
    token = csrf(bea)
    foreign = bea.post(f"/alerts/{ids[other]}/close", data={"csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert foreign.status_code == 404
    acked = bea.post(f"/alerts/{ids[org]}/ack", data={"csrf_token": token, "owner": "Dana"},
                     follow_redirects=False)  # fmt: skip
    assert acked.status_code == 303
    with UnitOfWork(store.engine, org, "test") as uow:
        (event,) = uow.alerts.events()
    assert (event.status, event.owner) == ("acknowledged", "Dana")
    assert 'data-status="acknowledged"' in bea.get("/alerts?status=acknowledged").text
    assert bea.post(f"/alerts/{ids[org]}/close", data={"csrf_token": token},
                    follow_redirects=False).status_code == 303  # fmt: skip
    with UnitOfWork(store.engine, org, "test") as uow:
        assert [e.status for e in uow.alerts.events()] == ["closed"]
    with UnitOfWork(store.engine, other, "test") as uow:
        assert [e.status for e in uow.alerts.events()] == ["open"]
    assert bea.get("/alerts?status=bogus").status_code in (400, 422)
    fred = TestClient(app)
    sign_in(fred, "fred")
    assert fred.get("/alerts", follow_redirects=False).status_code == 403
