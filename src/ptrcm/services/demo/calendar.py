"""The demo's calendar: its weeks of service and its "today".

Nothing the demo stores is dated after the day it was made. The run's today is the day the
last week of service is billed, or the last day a plan of care in the clinic's export was
signed, whichever is later, and never after the real today: a period of visits running
past the real today is refused, and a signature dated after the run's today is dropped
from the export (that plan is not signed yet).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from ptrcm.synth import SynthOptions


class DemoPeriod(Protocol):
    """What the calendar reads of a demo run's options (``ptrcm.services.demo.run.DemoOptions``);
    a protocol, so this module does not import the demo flow that imports it."""

    @property
    def patients(self) -> int: ...

    @property
    def months(self) -> int: ...

    @property
    def start(self) -> date: ...

    @property
    def today(self) -> date | None: ...


def weeks_of(first: date, last: date) -> list[date]:
    """Each Sunday closing a week of service from ``first`` through ``last``."""
    end = first + timedelta(days=(6 - first.weekday()) % 7)
    out = []
    while end < last + timedelta(days=7):
        out.append(end)
        end += timedelta(days=7)
    return out


def run_today(options: DemoPeriod, master: dict[str, Any]) -> date:
    """The run's today: the day the last week of service is billed, or the last day a plan
    of care in the export was signed, whichever is later; never after the real today."""
    real = options.today or date.today()
    billed = weeks_of(options.start, period_end(options))[-1] + timedelta(days=1)
    signed = [
        date.fromisoformat(plan["certified_on"])
        for plan in master.get("plans_of_care", ())
        if plan.get("certified_on")
    ]
    return min(max([billed, *signed]), real)


def forget_the_future(master_file: Path, visits_file: Path, today: date) -> int:
    """Drop plan-of-care signatures dated after ``today`` from the export: on ``today``
    those plans are not signed yet. Returns how many plans changed (files rewritten only
    then); happens only when the period ends about the real today."""
    master = json.loads(master_file.read_text(encoding="utf-8"))
    changed = _unsign(master.get("plans_of_care", ()), today)
    if not changed:
        return 0
    master_file.write_text(json.dumps(master), encoding="utf-8")
    records = [json.loads(line) for line in visits_file.read_text(encoding="utf-8").splitlines()]
    _unsign([r["plan_of_care"] for r in records if isinstance(r.get("plan_of_care"), dict)], today)
    visits_file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return changed


def _unsign(plans: Any, today: date) -> int:
    n = 0
    for plan in plans:
        signed = plan.get("certified_on")
        if signed and date.fromisoformat(signed) > today:
            plan["certified_on"] = None
            n += 1
    return n


def period_end(options: DemoPeriod) -> date:
    """The last day of the clinic's visits; after the real today it is an input error."""
    end = SynthOptions(options.patients, options.months, start=options.start).end
    real = options.today or date.today()
    if end > real:
        raise ValueError(
            f"--start {options.start} with --months {options.months} ends {end}, after"
            f" today ({real}): the demo writes no visit in the future"
        )
    return end
