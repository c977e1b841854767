"""The synthetic clinic's documentation: off by default, and when on, the same visits with
one more field; clean documentation passes the audit; injected defects are labelled."""

from __future__ import annotations

import copy
from collections import Counter

from ptrcm.domain.chart_audit.criteria import load_criteria
from ptrcm.domain.chart_audit.engine import score_visits
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.synth.generator import SynthOptions, iter_patient_outputs

BASE = {"patients": 40, "months": 4, "seed": 21}


def _run(**kw: object) -> tuple[list[dict[str, object]], list[dict[str, object]], list[object]]:
    visits, truth, labels = [], [], []
    for out in iter_patient_outputs(SynthOptions(**BASE, **kw)):  # type: ignore[arg-type]
        visits.extend(copy.deepcopy(out.visits))
        truth.extend(out.truth)
        labels.extend(out.doc_truth)
    return visits, truth, labels


def test_documentation_is_off_by_default() -> None:
    visits, _, labels = _run()
    assert visits and all("documentation" not in v for v in visits) and labels == []


def test_documentation_adds_one_field_and_changes_nothing_else() -> None:
    plain, plain_truth, _ = _run()
    documented, truth, _ = _run(documentation=True)
    assert truth == plain_truth  # the billing-defect labels are the same
    assert len(documented) == len(plain)
    for a, b in zip(plain, documented, strict=True):
        assert "documentation" in b
        assert {k: v for k, v in b.items() if k != "documentation"} == a


def test_documentation_defects_leave_the_other_fields_alone() -> None:
    documented, _, _ = _run(documentation=True)
    broken, _, labels = _run(documentation=True, doc_defect_rate=0.5)
    assert labels
    for a, b in zip(documented, broken, strict=True):
        assert {k: v for k, v in a.items() if k != "documentation"} == {
            k: v for k, v in b.items() if k != "documentation"
        }
    changed = sum(1 for a, b in zip(documented, broken, strict=True) if a != b)
    assert 0 < changed <= len(labels)


def test_clean_documentation_passes_and_each_label_is_found() -> None:
    criteria, codes = load_criteria(), load_catalog()
    clean, _, _ = _run(documentation=True, defect_rate=0.0)  # billing defects break notes too
    scores = score_visits([parse_visit(v, "<s>", 1) for v in clean], criteria, codes)
    assert [f for s in scores for f in s.findings] == []
    broken, _, labels = _run(documentation=True, doc_defect_rate=0.6, defect_rate=0.0)
    by_id = {s.visit_id: s for s in score_visits([parse_visit(v, "<s>", 1) for v in broken],
                                                 criteria, codes)}  # fmt: skip
    kinds = Counter(str(label["criterion"]) for label in labels)  # type: ignore[index]
    assert len(kinds) >= 10  # many criteria are exercised
    for label in labels:
        found = [f.criterion_id for f in by_id[label["visit_id"]].findings]  # type: ignore[index]
        assert label["criterion"] in found, label  # type: ignore[index]
