"""The visit's optional ``documentation`` element: read whole, written back, old files valid."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.records import visit_to_record
from ptrcm.errors import InputError
from ptrcm.services.intake.visit_files import read_visits
from tests.builders import documentation as doc
from tests.builders.visits import BASE, record

FULL = {
    "evaluation": doc.evaluation(),
    "plan_of_care": doc.plan(),
    "progress_report": doc.report(),
    "daily_note": doc.note(),
}


def test_a_record_without_documentation_reads_as_before_and_writes_back_unchanged() -> None:
    visit = parse_visit(record(), "<t>", 1)
    assert visit.documentation is None
    out = visit_to_record(visit)
    assert "documentation" not in out
    assert parse_visit(out, "<t>", 1) == visit == parse_visit(BASE, "<t>", 1)


def test_an_old_file_without_documentation_stays_valid(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(record()) + "\n" + json.dumps(record(visit_id="V-2")) + "\n")
    visits = read_visits(path)
    assert [v.visit_id for v in visits] == ["V-1", "V-2"]
    assert all(v.documentation is None for v in visits)


def test_every_element_is_read() -> None:
    visit = parse_visit(doc.documented(FULL), "<t>", 1)
    d = visit.documentation
    assert d is not None and d.evaluation and d.plan_of_care and d.progress_report
    assert d.daily_note is not None
    assert d.evaluation.complexity == "moderate"
    assert d.evaluation.tests_and_measures[0].value == "42%"
    assert d.plan_of_care.goals[0].measurable
    assert d.plan_of_care.certification is not None
    assert d.plan_of_care.certification.signed_on == date(2026, 3, 10)
    assert d.plan_of_care.frequency_per_week == 2
    assert d.progress_report.measures[0].baseline == "42%"
    assert d.progress_report.goals[0].status == "progressing"
    assert [i.minutes for i in d.daily_note.interventions] == [30, 10]
    assert d.daily_note.signature is not None and d.daily_note.signature.complete


def test_documentation_round_trips_through_the_record() -> None:
    visit = parse_visit(doc.documented(FULL), "<t>", 1)
    out = visit_to_record(visit)
    assert out["documentation"] == FULL
    assert parse_visit(out, "<t>", 1) == visit


def test_narrative_text_may_hold_line_breaks() -> None:
    ev = doc.evaluation(history="Line one.\nLine two.")
    visit = parse_visit(doc.documented({"evaluation": ev}), "<t>", 1)
    assert visit.documentation and visit.documentation.evaluation
    assert visit.documentation.evaluation.history == "Line one.\nLine two."


@pytest.mark.parametrize(
    ("documentation", "field"),
    [
        ({"evaluation": doc.evaluation(complexity="extreme")},
         "documentation.evaluation.complexity"),
        ({"evaluation": doc.evaluation(history="")}, "documentation.evaluation.history"),
        ({"plan_of_care": doc.plan(frequency_per_week=9)},
         "documentation.plan_of_care.frequency_per_week"),
        ({"plan_of_care": doc.plan(diagnoses=["not a code"])},
         "documentation.plan_of_care.diagnoses"),
        ({"progress_report": doc.report(goals=[{"text": "x", "status": "maybe"}])},
         "documentation.progress_report.goals[0].status"),
        ({"daily_note": doc.note(interventions=[{"minutes": 3}])},
         "documentation.daily_note.interventions[0].code"),
        ({"daily_note": doc.note(signature={"date": "2026-13-01"})},
         "documentation.daily_note.signature.date"),
        ({"discharge": {}}, "documentation.discharge"),
    ],
)  # fmt: skip
def test_a_bad_element_is_named_by_its_path(documentation: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_visit(doc.documented(documentation), "<t>", 4)
    assert field in [p.field for p in caught.value.problems]


def test_narrative_text_is_never_quoted_in_a_message() -> None:
    ev = doc.evaluation(history="Ann Reed \x00 fell")
    with pytest.raises(InputError) as caught:
        parse_visit(doc.documented({"evaluation": ev}), "<t>", 1)
    assert "Reed" not in str(caught.value)
