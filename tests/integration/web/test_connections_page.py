"""The clearinghouse connections page: a biller sees each configured connector with its
pilot, last success and last error as recorded; a front-desk member may not open it.
SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from ptrcm.config import load_config
from ptrcm.domain.access import Role
from ptrcm.domain.clearinghouse import parse_connectors
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.web_access import FAST, add_member, sign_in

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx8yq4nEw0yN1jHzoH2h1mJb7z7kQ0c9n0mJm2j3h4k"


def test_a_biller_sees_each_connector_and_its_last_error(store: Store, db_url: str) -> None:
    raw = {"ACME": {"host": "sftp.acme.test", "port": 2222, "user": "clinic", "key_file": "k",
                    "host_key": KEY, "outbound": "/out", "inbound": "/in", "done": "/done",
                    "failed": "/failed", "payers": ["MEDICARE"], "poll_minutes": 30}}  # fmt: skip
    config = replace(load_config(), clearinghouses=parse_connectors("t", raw))
    settings = WebSettings(db_url, "Clinic", lambda: date(2026, 3, 2), config, passwords=FAST)
    app = create_app(settings)
    add_member(app, "bea", Role.biller)
    add_member(app, "fred", Role.front_desk)
    org = store.organization_id("default")
    assert org is not None
    clock = lambda: datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # noqa: E731
    with claims_unit_of_work(store, org, "test", clock) as uow:
        uow.clearinghouse.note(
            "ACME", "poll", "clearinghouse ACME: listing /in: connection dropped"
        )
        uow.clearinghouse.add_file("ACME", "in", "a.999", "x/a.999", "0" * 64, "999", "posted")
        uow.commit()
    bea = TestClient(app)
    sign_in(bea, "bea")
    page = bea.get("/connections")
    assert page.status_code == 200
    text = page.text
    assert "ACME" in text and "sftp.acme.test:2222" in text and "MEDICARE" in text
    assert "30 min" in text and "never" in text  # no success yet
    assert "2026-03-02T09:30:00+00:00: clearinghouse ACME: listing /in: connection dropped" in text
    assert "in posted 1" in text and 'href="/connections"' in text
    fred = TestClient(app)
    sign_in(fred, "fred")
    assert fred.get("/connections", follow_redirects=False).status_code == 403
