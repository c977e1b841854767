"""Labelled documentation defects for the chart-audit benchmark (benchmarks/audit_accuracy).

Each episode of a patient gets, with probability ``rate`` and from its own stream
(``ptrcm-synth/<seed>/doc-defects/<patient>``), one defect: a criterion of the catalog
chosen among those the episode can break, and one record it is broken on. The label is
``{"visit_id", "criterion"}``: the record on which the audit must report that criterion.
CT03 (the certified interval) is not injected: it is shown by hand-built records only.

PR01 removes a progress report and labels the first later visit of the episode that is
then more than 10 treatment days past the report before it; an episode where no visit
would be is not offered PR01.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from ptrcm.domain.codes import load_catalog
from ptrcm.domain.visits import ASSISTANT_CREDENTIALS

Record = dict[str, Any]
Edit = Callable[[Record], None]
_CODES = load_catalog()
PR_INTERVAL = 10


def _pop(part: str, key: str) -> Edit:
    return lambda d: d[part].pop(key, None)


def _set(part: str, key: str, value: object) -> Edit:
    def edit(d: Record) -> None:
        d[part][key] = value

    return edit


def _each(part: str, key: str, drop: str) -> Edit:
    def edit(d: Record) -> None:
        for item in d[part][key]:
            item.pop(drop, None)

    return edit


def _undated(part: str) -> Edit:
    return lambda d: d[part]["signature"].pop("date", None)


def _assistant_signed(d: Record) -> None:
    cred = d["progress_report"]["signature"]["credential"]
    d["progress_report"]["signature"]["credential"] = {"PT": "PTA", "OT": "OTA"}.get(cred, "SLPA")


def _short_goals(d: Record) -> None:
    for g in d["plan_of_care"]["goals"]:
        g["term"] = "short"


def _drop_timed(d: Record) -> None:
    items = d["daily_note"]["interventions"]
    timed = [i for i in items if _CODES.is_timed(i["code"])]
    items.remove(timed[0])


def _late_cert(days: int) -> Edit:
    def edit(d: Record) -> None:
        sig = d["evaluation"]["signature"]["date"]
        d["plan_of_care"]["certification"]["date"] = (
            date.fromisoformat(sig) + timedelta(days=days)
        ).isoformat()

    return edit


# criterion -> (which records it can be injected on, the edit)
EDITS: dict[str, tuple[str, Edit]] = {
    "EV01": ("eval_code", lambda d: d.pop("evaluation")),
    "EV02": ("evaluation", _pop("evaluation", "history")),
    "EV03": ("evaluation", _pop("evaluation", "systems_review")),
    "EV04": ("evaluation", _each("evaluation", "tests_and_measures", "value")),
    "EV05": ("evaluation", _pop("evaluation", "functional_limitations")),
    "EV06": ("evaluation", _pop("evaluation", "complexity")),
    "EV07": ("evaluation", _undated("evaluation")),
    "PC01": ("initial_plan", lambda d: d.pop("plan_of_care")),
    "PC02": ("plan", _set("plan_of_care", "diagnoses", [])),
    "PC03": ("plan", _short_goals),
    "PC04": ("plan", _each("plan_of_care", "goals", "target")),
    "PC05": ("plan", _set("plan_of_care", "treatment_types", [])),
    "PC06": ("plan", _pop("plan_of_care", "frequency_per_week")),
    "PC07": ("plan", _pop("plan_of_care", "signature")),
    "CT01": ("plan", _pop("plan_of_care", "certification")),
    "CT02": ("initial_plan", _late_cert(45)),
    "PR02": ("report", _each("progress_report", "measures", "baseline")),
    "PR03": ("report", _each("progress_report", "goals", "status")),
    "PR04": ("report", _pop("progress_report", "justification")),
    "PR05": ("report", _assistant_signed),
    "TN01": ("treatment", lambda d: d.pop("daily_note")),
    "TN02": ("timed", _drop_timed),
    "TN03": ("note", lambda d: d["daily_note"].update(
        total_timed_minutes=d["daily_note"]["total_timed_minutes"] + 5)),
    "TN04": ("note", _pop("daily_note", "total_treatment_minutes")),
    "TN05": ("note", _pop("daily_note", "response")),
    "TN06": ("note", _undated("daily_note")),
    "TN07": ("assistant", _pop("daily_note", "supervision")),
}  # fmt: skip


def episodes(records: Sequence[Record]) -> list[list[Record]]:
    """The patient's records split into episodes as the audit splits them (per discipline,
    a new episode where ``episode_visit_number`` starts again)."""
    out: list[list[Record]] = []
    by_disc: dict[str, list[Record]] = {}
    for r in sorted(records, key=lambda r: (r["date_of_service"], r["visit_id"])):
        by_disc.setdefault(r["discipline"], []).append(r)
    for disc in sorted(by_disc):
        current: list[Record] = []
        for r in by_disc[disc]:
            n = r.get("episode_visit_number")
            prev = current[-1].get("episode_visit_number") if current else None
            if current and n is not None and prev is not None and (n < prev or (n == 1 != prev)):
                out.append(current)
                current = []
            current.append(r)
        if current:
            out.append(current)
    return out


def _fits(kind: str, r: Record, starts: bool) -> bool:
    d = r.get("documentation") or {}
    codes = [s["code"] for s in r["services"]]
    evaluation_code = any((i := _CODES.get(c)) is not None and i.is_evaluation for c in codes)
    checks = {
        "eval_code": evaluation_code and "evaluation" in d,
        "evaluation": "evaluation" in d,
        "initial_plan": starts and r.get("episode_visit_number") == 1 and "plan_of_care" in d,
        "plan": "plan_of_care" in d,
        "report": "progress_report" in d,
        "treatment": "daily_note" in d and not evaluation_code,
        "timed": "daily_note" in d and any(_CODES.is_timed(c) for c in codes),
        "note": "daily_note" in d,
        "assistant": "daily_note" in d and r["rendering"]["credential"] in ASSISTANT_CREDENTIALS,
    }
    return checks[kind]


def _pr01_target(episode: list[Record], report: Record) -> Record | None:
    """The visit that lacks a report in time once ``report``'s progress report is gone."""
    days = [r.get("episode_visit_number") or 0 for r in episode]
    i = episode.index(report)
    before = [
        days[j] for j in range(i)
        if "progress_report" in (episode[j].get("documentation") or {})
        or (days[j] > 1 and "evaluation" in (episode[j].get("documentation") or {}))
    ]  # fmt: skip
    last = max(before, default=0)
    for j in range(i + 1, len(episode)):
        d = episode[j].get("documentation") or {}
        if "progress_report" in d or "evaluation" in d:
            return None
        if days[j] - last > PR_INTERVAL:
            return episode[j]
    return None


def inject_doc_defects(rng: random.Random, records: Sequence[Record], rate: float) -> list[Record]:
    """Break at most one criterion per episode in place; the labels of what was broken."""
    labels: list[Record] = []
    for episode in episodes(records):
        if rng.random() >= rate:
            continue
        starts = episode[0].get("episode_visit_number") == 1
        options: list[tuple[str, Record, Record]] = []
        for criterion, (kind, _) in EDITS.items():
            options.extend((criterion, r, r) for r in episode if _fits(kind, r, starts))
        if starts:
            for r in episode:
                if _fits("report", r, starts) and (target := _pr01_target(episode, r)):
                    options.append(("PR01", r, target))
        if not options:
            continue
        criteria = sorted({c for c, _, _ in options})
        criterion = rng.choice(criteria)
        criterion_options = [o for o in options if o[0] == criterion]
        _, edited, target = criterion_options[rng.randrange(len(criterion_options))]
        if criterion == "PR01":
            edited["documentation"].pop("progress_report")
        else:
            EDITS[criterion][1](edited["documentation"])
        labels.append({"visit_id": target["visit_id"], "criterion": criterion})
    return labels
