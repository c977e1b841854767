"""An estimate made before the benefits are verified gives no patient cost: it says so,
stores none, and puts the patient on the front desk's work list until estimated again."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.domain.access import Role
from ptrcm.services.front_desk.eligibility import record_manual
from ptrcm.store.repository import Store
from ptrcm.store.tables.front_desk import patient_estimates
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.integration.front.test_cli_and_web import DAY, setup
from tests.web_access import FAST, signed_in

ESTIMATE = ["estimate", "--patient", "P-7", "--codes", "97110=2", "--date", DAY.isoformat()]


def _run(db_url: str, *args: str) -> str:
    """A command as the front desk's member (once the web test below has made accounts,
    the database is multi-user and every command names who runs it)."""
    result = CliRunner().invoke(app, ["--as", "frontdesk-default", *args, "--db", db_url])
    assert result.exit_code == 0, result.output
    return result.stdout


def _worklist(db_url: str) -> list[dict[str, object]]:
    items = json.loads(_run(db_url, "worklist", "--date", DAY.isoformat(), "--format", "json"))
    return [i for i in items if i["patient"] == "P-7"]


def test_an_estimate_without_verified_benefits_gives_no_cost_and_is_flagged(
    db_url: str, store: Store
) -> None:
    clinic = setup(store)
    clinic.patient("P-7", "COMMERCIAL")  # coverage on file, benefits never verified
    clinic.book("P-7", [DAY])

    data = json.loads(_run(db_url, *ESTIMATE, "--format", "json"))
    assert data["status"] == "benefits_not_verified"
    assert (data["visit"], data["plan_low"], data["plan_high"]) == (None, None, None)
    assert Decimal(data["allowed"]) > 0  # what the payer would allow is still known
    text = _run(db_url, *ESTIMATE)
    assert "benefits not verified" in text and "patient pays" not in text
    with store.engine.connect() as conn:
        rows = conn.execute(select(patient_estimates)).mappings().all()
    assert len(rows) == 2  # the JSON run and the text run each stored one
    for row in rows:
        assert row["status"] == "benefits_not_verified"
        assert (row["visit_estimate"], row["plan_low"], row["plan_high"]) == (None, None, None)
    report = json.loads(_run(db_url, "estimate", "report", "--format", "json"))
    assert {(r["estimate"], r["status"]) for r in report} == {(None, "benefits not verified")}

    (item,) = [i for i in _worklist(db_url) if i["kind"] == "estimate_unverified"]
    assert item["role"] == "front_desk" and item["due"] == DAY.isoformat()
    assert "without verified benefits" in str(item["reason"])
    with TestClient(create_app(WebSettings(db_url, today=lambda: DAY, passwords=FAST))) as client:
        signed_in(client, Role.front_desk)
        web = client.get("/api/worklist", params={"role": "front_desk"}).json()
        page = client.get("/worklist").text
    assert any(i["kind"] == "estimate_unverified" and i["patient"] == "P-7" for i in web)
    assert "without verified benefits" in page

    with clinic.uow() as uow:
        record_manual(uow, "P-7", None, date(2026, 1, 2), active=True, copay=Decimal("20.00"))
        uow.commit()
    again = json.loads(_run(db_url, *ESTIMATE, "--format", "json"))
    assert (again["status"], again["visit"]) == ("estimated", "20.00")
    assert all(i["kind"] != "estimate_unverified" for i in _worklist(db_url))
