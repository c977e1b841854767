"""The web edge over a real store (SQLite and PostgreSQL): the organization is the signed-in
member's, whatever the request says; the configuration is the one given to ``serve``; an
empty database shows how to load data; and no parameter gives a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ptrcm.config import load_config
from ptrcm.domain.access import Role
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.integration.front.clinic import Clinic, visit_record
from tests.web_access import FAST, csrf, signed_in

DAY = date(2026, 1, 12)
PAGES = ["/", "/queues", "/queues/denials", "/payers", "/therapists", "/scheduling", "/worklist"]
TABLES = [
    "/api/dashboard/ar-aging", "/api/dashboard/denials", "/api/dashboard/first-pass",
    "/api/dashboard/days-in-ar", "/api/queues/denials",
    "/api/payers/net-revenue", "/api/payers/underpayments", "/api/therapists/eval-mix",
    "/api/therapists/productivity", "/api/scheduling/attendance", "/api/scheduling/leakage",
]  # fmt: skip


def _tenant(store: Store, slug: str, patient: str) -> Clinic:
    """An organization with one commercial patient seen twice, never verified."""
    clinic = Clinic(store, slug, slug)
    clinic.patient(patient, "COMMERCIAL")
    clinic.visits(
        [visit_record(f"V-{patient}-{d}", patient, "COMMERCIAL", date(2026, 1, d)) for d in (5, 7)]
    )
    clinic.book(patient, [DAY])
    return clinic


def _client(db_url: str, org: str = "default", config_path: Path | None = None) -> TestClient:
    """A client signed in as an admin of ``org`` (who may read everything there), sending
    its session's CSRF token with every request."""
    config = None if config_path is None else load_config(config_path)
    settings = WebSettings(db_url, "Clinic", lambda: DAY, config, passwords=FAST)
    client = signed_in(TestClient(create_app(settings)), Role.admin, org)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


@pytest.fixture
def two_tenants(db_url: str, store: Store) -> Iterator[str]:
    _tenant(store, "default", "P-A")
    _tenant(store, "clinic-b", "P-B")
    yield db_url


def _patients(client: TestClient, params: dict[str, str] | None = None) -> set[str]:
    response = client.get("/api/worklist", params=params)
    assert response.status_code == 200, response.text
    return {i["patient"] for i in response.json()}


def test_an_org_query_parameter_does_not_switch_the_tenant(two_tenants: str) -> None:
    with _client(two_tenants) as client:
        assert _patients(client) == {"P-A"}
        assert _patients(client, {"org": "clinic-b"}) == {"P-A"}
        page = client.get("/worklist", params={"org": "clinic-b"}).text
        assert "P-A" in page and "P-B" not in page


def test_a_member_of_the_other_org_sees_only_that_orgs_rows(two_tenants: str) -> None:
    with _client(two_tenants, "clinic-b") as client:
        assert _patients(client) == {"P-B"}


def test_a_booking_check_refuses_an_org_in_the_body(two_tenants: str) -> None:
    with _client(two_tenants) as client:
        body = {"patient": "P-B", "date": DAY.isoformat(), "discipline": "PT"}
        assert (
            client.post("/api/schedule/check", json=body | {"org": "clinic-b"}).status_code == 422
        )
        other = client.post("/api/schedule/check", json=body)
        assert other.status_code == 400 and "not on file" in other.json()["detail"]
        own = client.post("/api/schedule/check", json=body | {"patient": "P-A"})
        assert own.status_code == 200 and own.json()["patient"] == "P-A"


def test_the_booking_check_uses_the_configuration_the_server_was_given(
    db_url: str, store: Store, tmp_path: Path
) -> None:
    _tenant(store, "default", "P-A")
    strict = tmp_path / "ptrcm.toml"
    strict.write_text("[payers.COMMERCIAL]\nauth_required = true\n", encoding="utf-8")
    body = {"patient": "P-A", "date": DAY.isoformat(), "discipline": "PT"}

    def kinds(config_path: Path | None) -> list[str]:
        with _client(db_url, config_path=config_path) as client:
            response = client.post("/api/schedule/check", json=body)
        assert response.status_code == 200, response.text
        return [r["kind"] for r in response.json()["reasons"]]

    assert "auth_missing" not in kinds(None)
    assert "auth_missing" in kinds(strict)


def test_an_empty_database_says_how_to_load_data_on_every_page(db_url: str) -> None:
    with _client(db_url) as client:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, path
            text = re.sub(r"<[^>]+>", "", response.text)
            assert "No claims yet" in text, path
            assert "ptrcm demo" in text and "ptrcm import visits FILE" in text, path
        assert client.get("/healthz").json() == {"status": "ok"}
        for path in TABLES:
            assert client.get(path).json()["rows"] == [], path
        weeks = client.get("/api/dashboard/cash-visits").json()["rows"]
        assert {(w["cash"], w["visits"]) for w in weeks} == {("0.00", 0)}
        assert client.get("/api/queues").json()[0]["items"] == 0


def test_data_imported_while_the_server_runs_replaces_the_empty_state(
    db_url: str, store: Store
) -> None:
    with _client(db_url) as client:
        assert "No claims yet" in client.get("/").text
        _tenant(store, "default", "P-A")
        assert "No claims yet" not in client.get("/").text


BAD_PARAMETERS = [
    "/api/dashboard/kpis?from=0001-01-01",
    "/api/dashboard/kpis?to=9999-12-31",
    "/api/dashboard/kpis?from=1901-01-01&to=2190-01-01",
    "/api/dashboard/ar-aging?as_of=9999-12-31",
    "/api/dashboard/ar-aging?as_of=0001-01-01",
    "/api/dashboard/days-in-ar?to=9999-12-31",
    "/api/dashboard/cash-visits?from=0001-01-01",
    "/api/dashboard/first-pass?from=2026-13-01",
    "/api/dashboard/denials?format=xml",
    "/api/worklist?date=9999-12-31",
    "/api/worklist?date=0001-01-01",
    "/api/worklist?role=boss",
    "/api/worklist?location=" + "L" * 65,
    "/api/queues/everything",
    "/api/claims/" + "C" * 39,
    "/api/claims/" + "C" * 39 + "/lines",
    "/api/scheduling/attendance?therapist=" + "T" * 65,
    "/?to=9999-12-31",
    "/payers?from=0001-01-01",
    "/therapists?to=2026-02-30",
    "/scheduling?location=" + "L" * 65,
    "/worklist?date=9999-12-31",
    "/claims/" + "C" * 39,
    "/queues/everything",
    "/api/worklist?location=%00",
    "/api/claims/C1%00",
    "/api/claims/C1%00/timeline",
    "/api/scheduling/attendance?location=%00",
    "/scheduling?therapist=%00",
    "/claims/C1%00",
]


def test_every_bad_parameter_is_a_4xx_not_a_500(two_tenants: str) -> None:
    with _client(two_tenants) as client:
        answers = {path: client.get(path).status_code for path in BAD_PARAMETERS}
    assert {p: s for p, s in answers.items() if not 400 <= s < 500} == {}


BAD_BODIES = [
    {"patient": "P-A", "date": "9999-12-31", "discipline": "PT"},
    {"patient": "P-A", "date": "0001-01-01", "discipline": "PT"},
    {"patient": "P" * 81, "date": "2026-01-12", "discipline": "PT"},
    {"patient": "", "date": "2026-01-12", "discipline": "PT"},
    {"patient": "P-A", "date": "2026-01-12", "discipline": "XX"},
    {"patient": "P-A", "date": "2026-01-12", "discipline": "PT", "codes": {"97110": 10**30}},
    {"patient": "P-A", "date": "2026-01-12", "discipline": "PT", "codes": {"97110": 0}},
    {"patient": "P-A", "date": "2026-01-12", "discipline": "PT", "codes": {"x" * 50: 1}},
    {"patient": ["P-A"], "date": "2026-01-12", "discipline": "PT"},
    {"patient": "P-A\x00", "date": "2026-01-12", "discipline": "PT"},
    {"patient": "P-A\n", "date": "2026-01-12", "discipline": "PT"},
]


def test_every_bad_booking_body_is_a_422_that_does_not_echo_it(two_tenants: str) -> None:
    with _client(two_tenants) as client:
        answers = [client.post("/api/schedule/check", json=body) for body in BAD_BODIES]
    assert [a.status_code for a in answers] == [422] * len(BAD_BODIES)
    for answer in answers:
        assert "input" not in answer.json()["detail"][0], answer.text
        assert "P" * 41 not in answer.text and "x" * 41 not in answer.text  # excerpts only
