"""A documented episode for chart-audit tests: twelve daily PT visits that meet every
criterion, changed visit by visit.

V-1 (Monday 2026-03-02) is the evaluation (97162 with 97110 for 30 minutes) with the
evaluation, the plan of care (certified 2026-03-10, 8 weeks) and a daily note; V-2..V-12
are treatment visits on the following days (97110 30 minutes, 97140 10 minutes) with a
daily note each; V-10 also has the progress report. ``changes`` maps a visit number to a
function that edits that visit's record in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from tests.builders import documentation as doc
from tests.builders.visits import DOS, parse, record

Record = dict[str, Any]
Edit = Callable[[Record], None]
REPORT_ON = 10


def episode_records(n: int = 12, changes: Mapping[int, Edit] | None = None) -> list[Record]:
    out = []
    for i in range(1, n + 1):
        documentation: Record = {"daily_note": doc.note()}
        changes_i: Record = {}
        if i == 1:
            changes_i["services"] = [{"code": "97162"}, {"code": "97110", "minutes": 30}]
            changes_i["total_timed_minutes"] = 30
            changes_i["total_treatment_minutes"] = 60
            documentation = {
                "evaluation": doc.evaluation(),
                "plan_of_care": doc.plan(),
                "daily_note": doc.note(
                    interventions=[{"code": "97110", "minutes": 30, "description": "exercise"}],
                    total_timed_minutes=30,
                    total_treatment_minutes=60,
                ),
            }
        if i == REPORT_ON:
            documentation["progress_report"] = doc.report()
        rec = record(
            visit_id=f"V-{i}",
            date_of_service=(DOS + timedelta(days=i - 1)).isoformat(),
            episode_visit_number=i,
            last_progress_report_visit=REPORT_ON if i >= REPORT_ON else 0,
            documentation=documentation,
            **changes_i,
        )
        if changes and i in changes:
            changes[i](rec)
        out.append(rec)
    return out


def episode_visits(n: int = 12, changes: Mapping[int, Edit] | None = None) -> list[Any]:
    return [parse(r) for r in episode_records(n, changes)]
