"""The demo's today: after the last billing day and every signature in the export, never
after the real today; a signature after it is not on file yet."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ptrcm.services.demo.calendar import forget_the_future, period_end, run_today
from ptrcm.services.demo.run import DemoOptions


def options(start: date, months: int, today: date) -> DemoOptions:
    return DemoOptions(Path("unused"), patients=5, months=months, start=start, today=today)


def test_the_run_ends_the_day_the_last_week_is_billed() -> None:
    # October-November 2025: the last week closes Sunday 30 November, billed Monday.
    got = run_today(options(date(2025, 10, 1), 2, date(2026, 12, 2)), {"plans_of_care": []})
    assert got == date(2025, 12, 1)


def test_a_plan_signed_after_the_last_billing_day_moves_the_run_s_today() -> None:
    master = {"plans_of_care": [{"certified_on": "2025-12-06"}, {"certified_on": None}]}
    got = run_today(options(date(2025, 10, 1), 2, date(2026, 12, 2)), master)
    assert got == date(2025, 12, 6)


def test_the_run_never_ends_after_the_real_today() -> None:
    master = {"plans_of_care": [{"certified_on": "2025-12-20"}]}
    assert run_today(options(date(2025, 10, 1), 2, date(2025, 12, 3)), master) == date(2025, 12, 3)


def test_visits_past_the_real_today_are_refused() -> None:
    with pytest.raises(ValueError, match="after today"):
        period_end(options(date(2025, 11, 1), 2, date(2025, 12, 3)))


def test_a_signature_after_the_run_s_today_is_not_on_file_yet(tmp_path: Path) -> None:
    master_file, visits_file = tmp_path / "m.json", tmp_path / "v.jsonl"
    plans = [{"plan_id": "A", "certified_on": "2025-12-01"},
             {"plan_id": "B", "certified_on": "2025-12-09"}]  # fmt: skip
    master_file.write_text(json.dumps({"plans_of_care": plans}), encoding="utf-8")
    visit = {"visit_id": "V", "plan_of_care": {"start": "2025-11-20", "certified_on": "2025-12-09"}}
    visits_file.write_text(json.dumps(visit) + "\n", encoding="utf-8")
    assert forget_the_future(master_file, visits_file, date(2025, 12, 3)) == 1
    kept = json.loads(master_file.read_text(encoding="utf-8"))["plans_of_care"]
    assert [p["certified_on"] for p in kept] == ["2025-12-01", None]
    (line,) = visits_file.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["plan_of_care"] == {"start": "2025-11-20", "certified_on": None}
    before = visits_file.read_text(encoding="utf-8")
    assert forget_the_future(master_file, visits_file, date(2025, 12, 31)) == 0
    assert visits_file.read_text(encoding="utf-8") == before
