"""Eval mix against peers, attendance and leakage, turnaround SLAs; empty data; the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from typer.testing import CliRunner

from ptrcm.analytics import KpiFilters, Scope, compute_kpis, report_json, revenue, scheduling, sla
from ptrcm.cli import app
from ptrcm.store.repository import Store
from tests.integration.analytics.clinic import Clinic
from tests.integration.analytics.conftest import MARCH, build_march

D = Decimal


def test_charge_and_submission_lag_median_and_p90(march: Scope) -> None:
    # Built in March, days from DOS: C1 2, C2 1, C3 5, C4 1, C6 10 -> sorted 1 1 2 5 10:
    # median rank ceil(2.5) = 3 -> 2; p90 rank ceil(4.5) = 5 -> 10.
    assert sla.charge_lag(march, MARCH) == sla.Sla(5, 2, 10)
    # Submitted in March, days from built: C1 1, C2 0, C3 3, C4 1, C6 1 -> 0 1 1 1 3.
    assert sla.submission_lag(march, MARCH) == sla.Sla(5, 1, 3)


def test_denial_follow_up_turnaround_and_pending(march: Scope) -> None:
    # First denials in March: C2 (03-12, never followed up: pending), C3 (03-15, appeal
    # 03-18: 3 days), C6 (03-25, appeal 03-26: 1 day). Median rank 1 -> 1; p90 rank 2 -> 3.
    assert sla.denial_follow_up(march, MARCH) == sla.Sla(2, 1, 3, pending=1)


def test_attendance_by_local_hour_weekday_and_place_with_leakage(march: Scope) -> None:
    # Due: A1 kept, A2 no-show (Mon 09 local), A3 late cancel, A4 kept (Tue 15 local);
    # A5 cancelled in time and A6 still scheduled do not count. Leakage at 81.67 per kept
    # visit: 2 missed x 81.67 = 163.34.
    report = scheduling.attendance(march, MARCH, "America/Chicago", D("81.67"))
    total = report.total
    assert (total.due, total.no_shows, total.late_cancels) == (4, 1, 1)
    assert (total.no_show_rate, total.late_cancel_rate) == (D("0.2500"), D("0.2500"))
    assert total.revenue_lost == D("163.34")
    assert [(a.key, a.due, a.no_shows, a.late_cancels) for a in report.by_hour] == [
        ("09", 2, 1, 0), ("15", 2, 0, 1),
    ]  # fmt: skip
    assert [(a.key, a.due) for a in report.by_weekday] == [("0", 2), ("1", 2)]
    places = {a.key: (a.no_show_rate, a.revenue_lost) for a in report.by_location}
    assert places == {"MAIN": (D("0.5000"), D("81.67")), "NORTH": (D("0.0000"), D("81.67"))}
    assert [(a.key, a.due) for a in report.by_therapist] == [("1111111112", 4)]
    assert report.cells == {(0, 9): (2, 1, 0), (1, 15): (2, 0, 1)}


def test_eval_mix_flags_a_therapist_far_above_peers(store: Store) -> None:
    # High-complexity shares: A 4/5 = 0.8, B 1/5 = 0.2, C 1/10 = 0.1, D 3/10 = 0.3.
    # For A the peers are B, C, D: mean 0.2, population SD sqrt((0 + 0.01 + 0.01) / 3)
    # = 0.0816; the gap 0.6 is over 2 SD (z = 7.35) and over 0.10: outlier. For B the
    # peers A, C, D have mean 0.4 and SD 0.2944; the gap 0.2 is under 2 SD: not.
    org = store.create_organization("evals", "Evals")
    with store.engine.begin() as conn:
        c = Clinic(conn, org)
        c.payer("MCR", "medicare")
        c.location("MAIN")
        c.patient("P")
        n = 0
        for therapist, npi, highs, total in [
            ("A", "1000000001", 4, 5), ("B", "1000000002", 1, 5),
            ("C", "1000000003", 1, 10), ("D", "1000000004", 3, 10),
        ]:  # fmt: skip
            c.provider(therapist, npi)
            for i in range(total):
                n += 1
                code = "97163" if i < highs else "97162"
                c.visit(f"V{n}", "P", "MCR", "2026-03-10", "MAIN", therapist, codes=[code])
    with store.engine.connect() as conn:
        rows = {r.name: r for r in revenue.eval_mix(Scope(conn, org), MARCH)}
    assert rows["A"].outlier and rows["A"].z_score == D("7.35")
    assert rows["A"].peer_high == D("0.2000")
    assert rows["A"].shares == {"low": D("0"), "moderate": D("0.2000"), "high": D("0.8000"),
                                "reeval": D("0")}  # fmt: skip
    assert not rows["B"].outlier and rows["B"].peer_high == D("0.4000")
    assert [name for name, r in rows.items() if r.outlier] == ["A"]


def test_empty_organization_gives_nulls_and_zeros_not_errors(empty: Scope) -> None:
    report = compute_kpis(empty, MARCH, date(2026, 3, 31))
    assert report.clean_claim_rate.rate is None
    assert report.first_pass_rate.rate is None
    assert report.initial_denial_rate.dollars.rate is None
    assert report.appeal_recovery.dollar_rate is None
    assert report.ar_aging == []
    assert (report.days_in_ar.days, report.days_in_ar.vendor_dso) == (None, None)
    assert report.net_collection.ratio.rate is None
    assert report.net_revenue_per_visit is None
    assert report.attendance.total.no_show_rate is None
    assert report.attendance.total.revenue_lost == D("0.00")
    assert report.charge_lag == sla.Sla(0, None, None)


def test_cli_json_equals_compute_kpis_with_decimals_as_strings(store: Store, db_url: str) -> None:
    org = store.create_organization("cli", "CLI")
    with store.engine.begin() as conn:
        build_march(Clinic(conn, org))
    args = ["report", "kpis", "--db", db_url, "--org", "cli", "--from", "2026-03-01"]
    result = CliRunner().invoke(app, [*args, "--to", "2026-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["first_pass_rate"]["rate"] == "0.2000"
    assert data["days_in_ar"]["days"] == "62.6"
    assert data["ar_aging"][0] == {"payer_class": "commercial", "0-30": "100.00",
        "31-60": "0.00", "61-90": "0.00", "91-120": "500.00", "120+": "0.00",
        "total": "600.00"}  # fmt: skip
    with store.engine.connect() as conn:
        direct = report_json(compute_kpis(Scope(conn, org), MARCH, date(2026, 3, 31)))
    assert data == json.loads(json.dumps(direct))
    csv_run = CliRunner().invoke(app, [*args, "--to", "2026-03-31", "--format", "csv"])
    assert "net_collection_rate,Net collection rate,0.6712" in csv_run.stdout


def test_cli_refuses_a_period_that_ends_before_it_starts(db_url: str) -> None:
    args = ["report", "kpis", "--db", db_url, "--from", "2026-03-31", "--to", "2026-03-01"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2


def test_filters_refuse_an_inverted_range() -> None:
    import pytest

    from ptrcm.errors import InvariantError

    with pytest.raises(InvariantError):
        replace(KpiFilters(date(2026, 3, 1), date(2026, 3, 2)), end=date(2026, 2, 1))
