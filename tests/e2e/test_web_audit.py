"""The audit trail of PHI reads from the web, and logs without PHI.

Each route that discloses PHI (read from the app: its ``requires(..., phi=...)``) writes
exactly one audit row per 2xx answer, naming the organization, the member (hence the
user), the action, the record, the time and the client address; aggregates write none, and
neither does a 404 or a 403. The auditor searches and exports the trail. The access and
error logs of a whole walk through the app hold none of the test data's patient names or
member ids.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from ptrcm.domain.access import Role
from ptrcm.store.repository import Store
from ptrcm.store.tables import audit_log, memberships, patients, users
from tests.e2e.test_web_access_matrix import CALLS, api_routes, routes
from tests.e2e.two_clinics import Clinics, build
from tests.web_access import csrf, sign_in

NAMES = ("Evangeline", "Quackenbush")  # the clinic-a patients' names, set below
MEMBER_IDS = ("M-P-AW",)  # a clinic-a member id (tests.integration.front.clinic)


@pytest.fixture(scope="module")
def clinics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinics]:
    built = build(tmp_path_factory.mktemp("audit"))
    store = Store.open(built.url)
    with store.engine.begin() as conn:
        conn.execute(update(patients).values(first_name=NAMES[0], last_name=NAMES[1]))
    store.close()
    yield built


def _client(clinics: Clinics, role: Role) -> TestClient:
    client = TestClient(clinics.app)
    sign_in(client, f"{role.value.replace('_', '')}-a")
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def _rows(clinics: Clinics) -> list[dict[str, Any]]:
    store = Store.open(clinics.url)
    query = (
        select(audit_log, users.c.username)
        .outerjoin(memberships, memberships.c.id == audit_log.c.membership_id)
        .outerjoin(users, users.c.id == memberships.c.user_id)
        .order_by(audit_log.c.id)
    )
    with store.engine.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(query)]
    store.close()
    return found


def _phi_routes(clinics: Clinics) -> dict[tuple[str, str], str]:
    """(method, path) -> the kind of PHI the route declares."""
    found = {}
    for route in api_routes(clinics.app.routes):
        for dependency in route.dependant.dependencies:
            kind = getattr(dependency.call, "phi", None)
            if kind is not None:
                for method in route.methods - {"HEAD"}:
                    found[(method, route.path)] = kind
    return found


def test_the_phi_routes_are_the_documented_ones(clinics: Clinics) -> None:
    assert _phi_routes(clinics) == {
        ("GET", "/claims/{claim_id}"): "claims",
        ("GET", "/api/claims/{claim_id}"): "claims",
        ("GET", "/api/claims/{claim_id}/timeline"): "claims",
        ("GET", "/api/claims/{claim_id}/lines"): "claims",
        ("GET", "/queues"): "work_queue",
        ("GET", "/queues/{name}"): "work_queue",
        ("GET", "/queues/items/{item_id}"): "work_queue",
        ("GET", "/api/queues/{name}"): "work_queue",
        ("GET", "/worklist"): "worklist",
        ("GET", "/api/worklist"): "worklist",
        ("POST", "/api/schedule/check"): "patients",
        ("GET", "/audit"): "audit_log",
        ("GET", "/audit.csv"): "audit_log",
        ("GET", "/claims"): "claims",
        ("GET", "/chart-audits"): "records_requests",
        ("GET", "/chart-audits/{audit_id}"): "chart_audit_results",
    }


EXPECTED_RECORD = {
    "/claims/{claim_id}": "AC1", "/api/claims/{claim_id}": "AC1",
    "/api/claims/{claim_id}/timeline": "AC1", "/api/claims/{claim_id}/lines": "AC1",
    "/queues": "/queues", "/queues/{name}": "scrub-errors", "/api/queues/{name}": "scrub-errors",
    "/worklist": "/worklist", "/api/worklist": "/api/worklist", "/api/schedule/check": "P-AW",
    "/audit": "/audit", "/audit.csv": "/audit.csv",
    "/queues/items/{item_id}": "W-{c.own_item}",  # the item as the page was asked for it
    "/claims": "/claims", "/chart-audits": "/chart-audits",
    "/chart-audits/{audit_id}": "{c.own_scored}",
}  # fmt: skip


def test_each_phi_read_writes_exactly_one_row_naming_user_and_record(clinics: Clinics) -> None:
    for (method, path), kind in _phi_routes(clinics).items():
        role = Role.auditor if path.startswith("/audit") else Role.manager
        if method == "POST":
            role = Role.front_desk
        client = _client(clinics, role)
        spec = CALLS.get((method, path))
        url, kwargs = spec.own(clinics) if spec else (path, {})
        before = len(_rows(clinics))
        answer = client.request(method, url, **kwargs)
        assert answer.status_code == 200, (path, answer.text)
        new = _rows(clinics)[before:]
        assert len(new) == 1, (path, new)
        row = new[0]
        member = role.value.replace("_", "")
        assert (row["username"], row["actor"]) == (f"{member}-a", f"user:{member}-a"), path
        assert (row["action"], row["table_name"]) == ("read", kind), path
        assert row["record_id"] == EXPECTED_RECORD[path].format(c=clinics), path
        assert row["client_address"] == "testclient" and row["occurred_at"] is not None, path


def test_an_export_is_recorded_as_one_export(clinics: Clinics) -> None:
    client = _client(clinics, Role.biller)
    before = len(_rows(clinics))
    answer = client.get("/api/queues/scrub-errors", params={"format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    new = _rows(clinics)[before:]
    assert [(r["action"], r["record_id"]) for r in new] == [("export", "scrub-errors")]


def test_aggregates_denials_and_missing_records_write_no_audit_row(clinics: Clinics) -> None:
    manager, desk = _client(clinics, Role.manager), _client(clinics, Role.front_desk)
    before = len(_rows(clinics))
    assert manager.get("/").status_code == 200
    assert manager.get("/api/dashboard/kpis").status_code == 200
    assert manager.get(f"/api/claims/{clinics.foreign_claim}").status_code == 404
    assert desk.get(f"/api/claims/{clinics.own_claim}").status_code == 403
    assert len(_rows(clinics)) == before


def test_the_auditor_searches_and_exports_the_trail_of_their_organization(
    clinics: Clinics,
) -> None:
    reader = _client(clinics, Role.biller)
    assert reader.get(f"/api/claims/{clinics.own_claim}").status_code == 200
    auditor = _client(clinics, Role.auditor)
    page = auditor.get("/audit", params={"record": clinics.own_claim, "actor": "user:biller-a"})
    assert page.status_code == 200 and "biller-a" in page.text
    exported = auditor.get("/audit.csv", params={"record": clinics.own_claim})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["record_id"] for r in rows} == {clinics.own_claim}
    assert {"at", "actor", "username", "action", "table_name", "client_address"} <= set(rows[0])
    assert all(r["actor"] != "user:victim-zzb" for r in rows)
    manager = _client(clinics, Role.manager)
    assert manager.get("/audit").status_code == 403


def test_no_log_line_names_a_patient_or_a_member_id(
    clinics: Clinics, caplog: pytest.LogCaptureFixture
) -> None:
    admin = _client(clinics, Role.admin)
    with caplog.at_level(logging.DEBUG):
        for method, path, _permission in routes(clinics.app):
            if method != "GET":
                continue
            spec = CALLS.get((method, path))
            url = spec.own(clinics)[0] if spec else path
            admin.get(url)
            admin.get(url, params={"therapist": NAMES[0], "location": MEMBER_IDS[0]})
        admin.get(f"/claims/{NAMES[1]}")  # a 404 for a "claim id" that is a name
        admin.get("/api/dashboard/kpis", params={"from": NAMES[0]})  # a 422
        admin.post("/api/schedule/check", json={"patient": MEMBER_IDS[0], "date": "2026-01-12",
                                                "discipline": "PT"})  # fmt: skip
    # The server's records: the test's own HTTP client logs its request URLs, queries included.
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "asyncio"))]
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in server)
    access = [r for r in caplog.records if r.name == "ptrcm.access"]
    assert len(access) > 40, "the access log is on"
    assert '"GET /api/scheduling/attendance" 200' in logged  # the route, not its query
    assert '"GET /claims/{claim_id}" 404' in logged  # the pattern, not the text sent
    for secret in (*NAMES, *MEMBER_IDS):
        assert secret not in logged, secret


def test_the_patient_names_used_by_the_scan_are_in_the_store(clinics: Clinics) -> None:
    """The log scan means something only if the data it looks for exists."""
    store = Store.open(clinics.url)
    with store.engine.connect() as conn:
        named = conn.execute(
            select(func.count()).where(patients.c.first_name == NAMES[0])
        ).scalar_one()
    store.close()
    assert named >= 3
