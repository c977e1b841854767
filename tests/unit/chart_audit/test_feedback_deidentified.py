"""Feedback reports: strengths, frequent findings and excerpts, and no patient identifier
(name, birth date, member id, MRN, phone, street address) anywhere in the rendered text."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ptrcm.domain.chart_audit.criteria import load_criteria
from ptrcm.domain.chart_audit.deidentify import deidentify
from ptrcm.domain.chart_audit.engine import score_visits
from ptrcm.domain.chart_audit.feedback import build_feedback
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.services.chart_audit.feedback import render_html, render_pdf
from ptrcm.synth.documentation import contact_of
from ptrcm.synth.generator import SynthOptions, iter_patient_outputs

SEED = 33


@pytest.fixture(scope="module")
def clinic() -> tuple[list[dict[str, object]], list[object]]:
    options = SynthOptions(patients=60, months=4, seed=SEED, defect_rate=0.0,
                           documentation=True, doc_defect_rate=0.7)  # fmt: skip
    records: list[dict[str, object]] = []
    for out in iter_patient_outputs(options):
        records.extend(copy.deepcopy(out.visits))
    visits = [parse_visit(r, "<s>", 1) for r in records]
    return records, visits


def _identifiers(records: list[dict[str, object]]) -> set[str]:
    found: set[str] = set()
    for r in records:
        people = [r["patient"]] + ([r["subscriber"]] if "subscriber" in r else [])
        for p in people:
            assert isinstance(p, dict)
            found |= {p["first_name"], p["last_name"], p["birth_date"], p["address"]["line1"]}
            y, m, d = p["birth_date"].split("-")
            found |= {f"{m}/{d}/{y}", f"{int(m)}/{int(d)}/{y}"}
        found.add(str(r["member_id"]))
        mrn, phone = contact_of(SEED, str(r["patient_id"]))
        found |= {mrn, mrn[3:], phone, re.sub(r"\D", "", phone), phone[-8:]}
    return found


def _leaks(text: str, identifiers: set[str]) -> list[str]:
    return [i for i in identifiers if re.search(rf"(?<!\w){re.escape(i)}(?!\w)", text)]


def test_the_narratives_do_hold_identifiers_before_de_identification(clinic) -> None:  # type: ignore[no-untyped-def]
    records, _ = clinic
    notes = " ".join(str(r["documentation"]) for r in records)
    assert _leaks(notes, _identifiers(records))  # so the test below can fail


def test_no_patient_identifier_is_in_any_feedback_report(clinic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, visits = clinic
    criteria = load_criteria()
    scores = score_visits(visits, criteria, load_catalog())
    by_id = {v.visit_id: v for v in visits}
    identifiers = _identifiers(records)
    therapists = sorted({s.therapist for s in scores})
    excerpts = 0
    for t in therapists:
        feedback = build_feedback(t, scores, by_id, criteria)
        excerpts += len(feedback.excerpts)
        html = render_html(feedback, 1, criteria.version)
        text = re.sub(r"<[^>]+>", " ", html)
        own = feedback.name or ""  # the therapist's own name heads the report
        assert _leaks(text.replace(own, " "), identifiers) == [], t
        if shutil.which("pdftotext"):
            pdf = tmp_path / f"{t}.pdf"
            render_pdf(feedback, 1, criteria.version, pdf)
            out = subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
            )
            assert _leaks(out.stdout.replace(own, " "), identifiers) == [], t
    assert excerpts >= len(therapists)  # every therapist saw some of their own notes


def test_feedback_names_strengths_and_the_most_frequent_findings_first(clinic) -> None:  # type: ignore[no-untyped-def]
    _, visits = clinic
    criteria = load_criteria()
    scores = score_visits(visits, criteria, load_catalog())
    t = max({s.therapist for s in scores}, key=lambda x: sum(1 for s in scores if s.therapist == x))
    f = build_feedback(t, scores, {v.visit_id: v for v in visits}, criteria)
    assert f.records == sum(1 for s in scores if s.therapist == t)
    assert "A treatment note for the treatment day" in f.strengths or f.findings
    significant = [c.severity == "significant" for c in f.findings]
    assert significant == sorted(significant, reverse=True)
    for e in f.excerpts:
        assert e.two_lines == criteria.get(e.criterion_id).advice


def test_patterns_remove_what_the_record_does_not_list() -> None:
    text = "Seen 2026-03-02, DOB 4/5/1950, MRN0012345, call (217) 555-0199, lives 12 Oak Ave."
    clean = deidentify(text)
    for leak in ("2026-03-02", "4/5/1950", "MRN0012345", "555-0199", "12 Oak Ave"):
        assert leak not in clean
    assert deidentify("Ann Reed walked", [("Ann", "[name]"), ("Reed", "[name]")]) == (
        "[name] [name] walked"
    )
