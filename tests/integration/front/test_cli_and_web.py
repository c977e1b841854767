"""The front desk from the command line and over HTTP: booking check (exit 1 when not
covered), the work list (CLI, JSON API and page), estimates."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.domain.access import Role
from ptrcm.services.front_desk.eligibility import record_manual
from ptrcm.store.repository import Store
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.integration.front.clinic import Clinic, visit_record
from tests.web_access import FAST, csrf, signed_in

DAY = date(2026, 1, 12)


def setup(store: Store) -> Clinic:
    """P-1: commercial, 2 of 3 authorized visits kept, no plan of care signature."""
    store.create_organization("default")
    clinic = Clinic(store)
    clinic.org = int(store.organization_id("default") or 0)
    with clinic.uow() as uow:
        uow.master.upsert("payers", [{"external_id": "COMMERCIAL", "name": "C",
                                      "payer_class": "commercial"}])  # fmt: skip
        uow.master.upsert("locations", [{"external_id": "MAIN", "name": "Main St"}])
        uow.commit()
    clinic.patient("P-1", "COMMERCIAL")
    with clinic.uow() as uow:
        record_manual(uow, "P-1", None, date(2026, 1, 2), active=True, copay=Decimal("20.00"))
        uow.commit()
    clinic.upsert("authorizations", [{"external_id": "AU", "patient": "P-1", "number": "A-1",
                                      "discipline": "PT", "visits_authorized": 2,
                                      "start_date": date(2026, 1, 5),
                                      "end_date": date(2026, 2, 28)}])  # fmt: skip
    clinic.upsert("plans_of_care", [{"external_id": "POC", "patient": "P-1", "discipline": "PT",
                                     "start_date": date(2026, 1, 5)}])  # fmt: skip
    clinic.visits([visit_record(f"V-{d}", "P-1", "COMMERCIAL", date(2026, 1, d)) for d in (5, 7)])
    clinic.book("P-1", [DAY])
    return clinic


def test_schedule_check_exits_1_with_the_reasons_when_not_covered(
    db_url: str, store: Store
) -> None:
    setup(store)
    result = CliRunner().invoke(
        app, ["schedule", "check", "--patient", "P-1", "--date", DAY.isoformat(),
              "--discipline", "PT", "--db", db_url, "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["covered"] is False
    assert [r["kind"] for r in data["reasons"] if r["blocking"]] == ["auth_exhausted"]


def test_worklist_cli_api_and_page_list_the_same_items(db_url: str, store: Store) -> None:
    setup(store)
    result = CliRunner().invoke(
        app, ["worklist", "--date", DAY.isoformat(), "--db", db_url, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    kinds = {(i["kind"], i["role"]) for i in items}
    assert ("auth_exhausted", "front_desk") in kinds
    assert ("poc_signature", "therapist") in kinds  # signature due 4 February
    signature = next(i for i in items if i["kind"] == "poc_signature")
    assert signature["due"] == "2026-02-04" and signature["location"] == "MAIN"

    settings = WebSettings(database_url=db_url, today=lambda: DAY, passwords=FAST)
    with TestClient(create_app(settings)) as client:
        _web_worklist(signed_in(client, Role.front_desk))


def _web_worklist(client: TestClient) -> None:
    api = client.get("/api/worklist", params={"role": "therapist"})
    assert api.status_code == 200
    assert [i["kind"] for i in api.json()] == ["poc_signature"]
    page = client.get("/worklist")
    assert page.status_code == 200 and "request a new or extended authorization" in page.text
    body = {"patient": "P-1", "date": "2026-01-12", "discipline": "PT"}
    check = client.post("/api/schedule/check", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert check.status_code == 200 and check.json()["covered"] is False


def test_estimate_command_prints_the_copay_visit(db_url: str, store: Store) -> None:
    setup(store)
    result = CliRunner().invoke(
        app, ["estimate", "--patient", "P-1", "--codes", "97110=2,97140=1", "--visits", "4",
              "--date", DAY.isoformat(), "--db", db_url, "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["visit"], data["plan_low"], data["plan_high"]) == ("20.00", "80.00", "80.00")
    report = CliRunner().invoke(app, ["estimate", "report", "--db", db_url, "--format", "json"])
    assert json.loads(report.stdout)[0]["status"] == "awaiting remittance"


def test_a_patient_whose_only_visit_is_still_ahead_is_not_on_todays_work_list(
    db_url: str, store: Store
) -> None:
    clinic = setup(store)
    clinic.patient("P-9", "COMMERCIAL")  # no eligibility check on file: would be flagged
    clinic.visits([visit_record("V-LATER", "P-9", "COMMERCIAL", date(2026, 3, 2))])
    before = CliRunner().invoke(
        app, ["worklist", "--date", DAY.isoformat(), "--db", db_url, "--format", "json"]
    )
    after = CliRunner().invoke(
        app, ["worklist", "--date", "2026-03-02", "--db", db_url, "--format", "json"]
    )
    assert before.exit_code == 0 and after.exit_code == 0, before.output + after.output
    assert all(i["patient"] != "P-9" for i in json.loads(before.stdout))
    assert any(i["patient"] == "P-9" for i in json.loads(after.stdout))


@pytest.mark.parametrize("amount", ["abc", "10.005", "-5"])
def test_a_bad_payment_amount_exits_2_and_writes_nothing(
    db_url: str, store: Store, amount: str
) -> None:
    setup(store)
    before = _payments(store)
    result = CliRunner().invoke(
        app, ["statements", "pay", "--patient", "P-1", "--amount", amount, "--db", db_url]
    )
    assert result.exit_code == 2
    assert "--amount" in result.output
    assert _payments(store) == before


def _payments(store: Store) -> int:
    from sqlalchemy import func, select

    from ptrcm.store.tables import patient_payments

    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(patient_payments)).scalar_one())
