"""`ptrcm report review`: the monthly pack's figures are `ptrcm report kpis` for the same
month, it renders to PDF and PNG, and the PDF shows each figure (docs/review-pack.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.e2e import cli

MONEY = {"ar_total", "net_revenue_per_visit", "revenue_leakage"}


def ptrcm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli.ptrcm(*args, cwd=cwd, env={"COLUMNS": "200", "PTRCM_OPERATOR": "admin"}, timeout=900)


def shown(key: str, raw: str | None) -> str:
    """The pack's documented format, written again here: percent to one decimal, money to
    the cent with separators, other figures as they are."""
    if raw is None:
        return "—"
    value = Decimal(raw)
    if key.endswith(("_rate", "_dollars")) or key == "denial_rate_claims":
        return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if key in MONEY:
        return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    return raw


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("review")
    done = ptrcm(
        "demo",
        "--db",
        f"sqlite:///{root}/d.db",
        "--out",
        str(root / "out"),
        "--patients",
        "24",
        "--months",
        "3",
        "--start",
        "2026-01-05",
        "--seed",
        "11",
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    return root


def test_every_figure_is_report_kpis_for_the_month(clinic: Path) -> None:
    db = f"sqlite:///{clinic}/d.db"
    notes = clinic / "notes.txt"
    notes.write_text("BCBS agreed to reprocess the February CO-197 denials.\n")
    done = ptrcm(
        "report",
        "review",
        "--month",
        "2026-02",
        "--out",
        str(clinic / "rev"),
        "--notes",
        str(notes),
        "--db",
        db,
        "--format",
        "json",
        cwd=clinic,
    )
    assert done.returncode == 0, done.stderr
    pack = json.loads(done.stdout)
    kpis = ptrcm(
        "report",
        "kpis",
        "--from",
        "2026-02-01",
        "--to",
        "2026-02-28",
        "--db",
        db,
        "--format",
        "json",
        cwd=clinic,
    )
    assert kpis.returncode == 0, kpis.stderr
    assert pack["kpis"] == json.loads(kpis.stdout)
    csv = ptrcm(
        "report",
        "kpis",
        "--from",
        "2026-02-01",
        "--to",
        "2026-02-28",
        "--db",
        db,
        "--format",
        "csv",
        cwd=clinic,
    )
    table = dict(line.split(",", 2)[::2] for line in csv.stdout.splitlines()[1:])
    assert {k: v or None for k, v in table.items()} == pack["headline"]
    assert [t["standing"] for t in pack["targets"]]  # every target has a standing
    assert pack["notes"].startswith("BCBS agreed")
    assert pack["trend"][-1]["month"] == "2026-02"

    pdf = clinic / "rev" / "review-2026-02.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed: .ci/run installs it")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(clinic / "page")], check=True)
    pages = sorted(clinic.glob("page*.png"))
    assert pages and all(p.stat().st_size > 2_000 for p in pages)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for key, raw in pack["headline"].items():
        assert shown(key, raw) in text, key
    assert "BCBS agreed to reprocess" in text
    html = (clinic / "rev" / "review-2026-02.html").read_text()
    for key, raw in pack["headline"].items():
        assert shown(key, raw) in html, key


def test_bad_month_is_one_line(clinic: Path) -> None:
    done = ptrcm(
        "report", "review", "--month", "2026-13", "--db", f"sqlite:///{clinic}/d.db", cwd=clinic
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--month" in done.stderr


def test_alerts_scan_and_list_on_the_demo(clinic: Path) -> None:
    db = f"sqlite:///{clinic}/d.db"
    done = ptrcm(
        "alerts", "scan", "--as-of", "2026-03-31", "--db", db, "--format", "json", cwd=clinic
    )
    assert done.returncode in (0, 1), done.stderr
    raised = json.loads(done.stdout)
    assert done.returncode == (1 if raised else 0)
    listed = ptrcm("alerts", "list", "--db", db, "--format", "json", cwd=clinic)
    assert listed.returncode == 0, listed.stderr
    assert [e["id"] for e in json.loads(listed.stdout)] == [e["id"] for e in raised]
    again = ptrcm(
        "alerts", "scan", "--as-of", "2026-03-31", "--db", db, "--format", "json", cwd=clinic
    )
    assert (again.returncode, json.loads(again.stdout)) == (0, [])  # nothing raised twice


def test_inquiry_service_level_and_cost_to_collect(clinic: Path) -> None:
    db = f"sqlite:///{clinic}/d.db"
    for opened_at, answered_at in (
        ("2026-02-03T10:00", "2026-02-04T09:00"),
        ("2026-02-10T10:00", "2026-02-16T11:00"),
    ):
        done = ptrcm(
            "inquiries",
            "open",
            "--channel",
            "phone",
            "--topic",
            "balance",
            "--at",
            opened_at,
            "--db",
            db,
            cwd=clinic,
        )
        assert done.returncode == 0, done.stderr
        number = done.stdout.split()[1]
        done = ptrcm("inquiries", "answer", number, "--at", answered_at, "--db", db, cwd=clinic)
        assert done.returncode == 0, done.stderr
    (clinic / "ptrcm.toml").write_text(
        '[costs]\nstaff = "3000.00"\ntechnology = "500.00"\noverhead = "500.00"\n'
        "[sla]\npatient_inquiry = 2\n[targets]\ndays_in_ar = 60\n"
    )
    done = ptrcm(
        "report",
        "review",
        "--month",
        "2026-02",
        "--out",
        str(clinic / "rev2"),
        "--db",
        db,
        "--format",
        "json",
        cwd=clinic,
    )
    assert done.returncode == 0, done.stderr
    pack = json.loads(done.stdout)
    inquiry = next(s for s in pack["slas"] if s["name"] == "patient_inquiry")
    assert (inquiry["days"], inquiry["events"], inquiry["attainment"]) == (2, 2, "0.5")
    visits = sum(r["visits"] for r in pack["kpis"]["net_revenue"])
    costs = pack["cost_to_collect"]
    assert costs["cost"] == "4000.00" and costs["visits"] == visits > 0
    assert Decimal(costs["cost_per_visit"]) == (Decimal(4000) / visits).quantize(Decimal("0.01"))
    days = next(t for t in pack["targets"] if t["kpi"] == "days_in_ar")
    assert days["target"] == "60" and days["source"] == "ptrcm.toml [targets]"
    (clinic / "ptrcm.toml").unlink()


def test_the_months_systemic_events_are_in_the_pack(clinic: Path) -> None:
    from datetime import UTC, date, datetime

    from ptrcm.domain.alerts.detect import Event, EventKind, Severity
    from ptrcm.store.repository import Store, UnitOfWork

    db = f"sqlite:///{clinic}/d.db"
    store = Store.open(db)
    try:
        org = store.organization_id("default")
        assert org is not None
        with UnitOfWork(store.engine, org, "user:admin") as uow:
            event = Event(
                EventKind.REASON_SPIKE,
                "COMMERCIAL",
                date(2026, 2, 12),
                Severity.HIGH,
                "CO-197",
                "CO-197 on 9 of 30 claims (30%) today",
                1e-9,
                (),
            )
            assert uow.alerts.add(event, "Dana", datetime(2026, 2, 13, tzinfo=UTC)) is not None
            uow.commit()
    finally:
        store.close()
    done = ptrcm(
        "report",
        "review",
        "--month",
        "2026-02",
        "--out",
        str(clinic / "rev3"),
        "--db",
        db,
        "--format",
        "json",
        cwd=clinic,
    )
    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)["events"]
    assert [(e["day"], e["payer"], e["reason"], e["owner"]) for e in events] == [
        ("2026-02-12", "COMMERCIAL", "CO-197", "Dana")
    ]
    if shutil.which("pdftotext"):
        pdf = clinic / "rev3" / "review-2026-02.pdf"
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "CO-197 on 9 of 30 claims" in " ".join(text.split())  # wrapped in its cell
