"""Each chart-audit criterion fires on a hand-built record that lacks what it asks, and stays
quiet on the complete episode (tests.builders.episodes). The test ids are the criterion ids."""

from __future__ import annotations

from typing import Any

import pytest

from ptrcm.domain.chart_audit.criteria import load_criteria, parse_criteria
from ptrcm.domain.chart_audit.engine import RecordScore, score_visits
from ptrcm.domain.codes import load_catalog
from tests.builders.documentation import plan as plan_record
from tests.builders.episodes import Edit, episode_visits

CRITERIA = load_criteria()
CODES = load_catalog()
Rec = dict[str, Any]


def scores(changes: dict[int, Edit] | None = None, n: int = 12) -> dict[str, RecordScore]:
    return {s.visit_id: s for s in score_visits(episode_visits(n, changes), CRITERIA, CODES)}


def _doc(part: str, **fields: Any) -> Edit:
    """Edit: set (or with None, remove) fields of one documentation element."""

    def edit(rec: Rec) -> None:
        element = rec["documentation"][part]
        for k, v in fields.items():
            if v is None:
                element.pop(k, None)
            else:
                element[k] = v

    return edit


def _drop(part: str) -> Edit:
    return lambda rec: rec["documentation"].pop(part)


def _assistant(supervision: str | None) -> Edit:
    def edit(rec: Rec) -> None:
        rec["rendering"] = {"npi": "1245319599", "credential": "PTA", "name": "Sam Cole"}
        rec["supervising"] = {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"}
        if supervision is not None:
            rec["documentation"]["daily_note"]["supervision"] = supervision

    return edit


def _nothing(rec: Rec) -> None:
    rec.pop("documentation")


NO_DATE = {"name": "Ana Ruiz", "credential": "PT"}
FIRES: list[tuple[str, int, dict[int, Edit]]] = [
    ("EV01", 1, {1: _drop("evaluation")}),
    ("EV02", 1, {1: _doc("evaluation", history=None)}),
    ("EV03", 1, {1: _doc("evaluation", systems_review=None)}),
    ("EV04", 1, {1: _doc("evaluation", tests_and_measures=[{"name": "ODI"}])}),
    ("EV05", 1, {1: _doc("evaluation", functional_limitations=None)}),
    ("EV06", 1, {1: _doc("evaluation", complexity=None)}),
    ("EV07", 1, {1: _doc("evaluation", signature=NO_DATE)}),
    ("PC01", 1, {1: _drop("plan_of_care")}),
    ("PC02", 1, {1: _doc("plan_of_care", diagnoses=[])}),
    ("PC03", 1, {1: _doc("plan_of_care", goals=[{"text": "walk", "term": "short"}])}),
    ("PC04", 1, {1: _doc("plan_of_care", goals=[{"text": "walk better", "term": "long"}])}),
    ("PC05", 1, {1: _doc("plan_of_care", treatment_types=[])}),
    ("PC06", 1, {1: _doc("plan_of_care", duration_weeks=None)}),
    ("PC07", 1, {1: _doc("plan_of_care", signature=None)}),
    ("CT01", 1, {1: _doc("plan_of_care", certification=None)}),
    ("CT02", 1, {1: _doc("plan_of_care", certification=NO_DATE | {"date": "2026-04-15"})}),
    ("CT03", 12, {1: _doc("plan_of_care", duration_weeks=1)}),
    ("PR01", 11, {10: _drop("progress_report")}),
    ("PR02", 10, {10: _doc("progress_report", measures=[{"name": "ODI", "current": "30%"}])}),
    ("PR03", 10, {10: _doc("progress_report", goals=[{"text": "walk"}])}),
    ("PR04", 10, {10: _doc("progress_report", justification=None)}),
    ("PR05", 10, {10: _doc("progress_report", signature=NO_DATE | {"credential": "PTA",
                                                                    "date": "2026-03-11"})}),
    ("TN01", 5, {5: _nothing}),
    ("TN02", 5, {5: _doc("daily_note", interventions=[{"code": "97110", "minutes": 30}])}),
    ("TN03", 5, {5: _doc("daily_note", total_timed_minutes=50)}),
    ("TN04", 5, {5: _doc("daily_note", total_treatment_minutes=None)}),
    ("TN05", 5, {5: _doc("daily_note", response=None)}),
    ("TN06", 5, {5: _doc("daily_note", signature=NO_DATE)}),
    ("TN07", 5, {5: _assistant(None)}),
]  # fmt: skip


def test_every_criterion_has_a_firing_case() -> None:
    assert sorted(c for c, _, _ in FIRES) == sorted(CRITERIA.ids)


@pytest.mark.parametrize(("criterion", "visit", "changes"), FIRES, ids=[c for c, _, _ in FIRES])
def test_the_criterion_fires(criterion: str, visit: int, changes: dict[int, Edit]) -> None:
    found = scores(changes)[f"V-{visit}"]
    assert criterion in [f.criterion_id for f in found.findings]
    assert found.passed is not CRITERIA.get(criterion).significant


def test_the_complete_episode_meets_every_criterion() -> None:
    result = scores()
    assert [f for s in result.values() for f in s.findings] == []
    assert all(s.passed for s in result.values())
    applied = {c for s in result.values() for c in s.applied}
    assert applied == set(CRITERIA.ids) - {"TN07"}  # no assistant in the base episode


@pytest.mark.parametrize(
    ("criterion", "visit", "changes"),
    [
        ("TN07", 5, {5: _assistant("PT on site, plan reviewed with the PTA")}),
        ("EV01", 3, {}),  # a treatment visit bills no evaluation
        ("CT02", 1, {1: _doc("plan_of_care", certification=NO_DATE | {"date": "2026-03-31"})}),
        ("CT03", 12, {1: _doc("plan_of_care", duration_weeks=2)}),  # 14 days cover V-12
        ("PR01", 10, {10: _drop("progress_report")}),  # day 10 is still inside the period
        (
            "TN01",
            1,
            {
                1: _drop("daily_note"),
            },
        ),  # the evaluation serves, only if alone
    ],
    ids=["TN07", "EV01", "CT02", "CT03", "PR01", "TN01-not-alone"],
)
def test_the_criterion_stays_quiet_at_its_edge(
    criterion: str, visit: int, changes: dict[int, Edit]
) -> None:
    found = scores(changes)[f"V-{visit}"]
    fired = criterion in [f.criterion_id for f in found.findings]
    assert fired is (criterion == "TN01")  # V-1 bills 97110 too: its note is needed


def test_pc01_a_recertification_months_later_is_not_the_plan_of_the_first_day() -> None:
    def late_plan(rec: Rec) -> None:
        rec["date_of_service"] = "2026-05-04"
        rec["documentation"]["plan_of_care"] = plan_record()

    result = scores({1: _drop("plan_of_care"), 12: late_plan})
    assert "PC01" in [f.criterion_id for f in result["V-1"].findings]
    within = scores({1: _drop("plan_of_care"), 3: lambda r: r["documentation"].update(
        plan_of_care=plan_record())})  # fmt: skip
    assert "PC01" not in [f.criterion_id for f in within["V-1"].findings]


def test_pr01_counts_from_the_records_own_count_when_the_episode_starts_unseen() -> None:
    visits = episode_visits(12)[4:]  # V-5..V-12: days 5..12, report on day 10
    result = {s.visit_id: s for s in score_visits(visits, CRITERIA, CODES)}
    assert all("PR01" not in [f.criterion_id for f in s.findings] for s in result.values())
    assert "PC01" not in result["V-5"].applied  # the plan was written before what is seen


def test_a_malformed_catalog_is_refused() -> None:
    good = {"id": "EV01", "record": "evaluation", "title": "t", "severity": "minor",
            "source": "s", "advice": "a"}  # fmt: skip
    parse_criteria({"version": "1", "criteria": [good]})
    with pytest.raises(ValueError, match="severity"):
        parse_criteria({"version": "1", "criteria": [good | {"severity": "fatal"}]})
    with pytest.raises(ValueError, match="duplicated"):
        parse_criteria({"version": "1", "criteria": [good, good]})
    with pytest.raises(ValueError, match="version"):
        parse_criteria({"criteria": [good]})


def test_every_criterion_cites_its_source() -> None:
    for c in CRITERIA:
        assert "MBPM ch. 15 §220" in c.source or "§230" in c.source, c.id


def test_the_documented_criteria_table_matches_the_catalog() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[3] / "docs" / "chart-audit.md"
    text = doc.read_text(encoding="utf-8")
    for c in CRITERIA:
        assert f"| {c.id} | {c.record} | {c.title} | {c.severity} | {c.source} |" in text, c.id
