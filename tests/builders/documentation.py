"""Documentation for tests: complete records of each kind, changed one field at a time.

``evaluation()``, ``plan()``, ``report()`` and ``note()`` are the JSON-ready elements of
a visit's ``documentation`` that pass every chart-audit criterion; ``documented(...)`` is
a base visit record (``tests.builders.visits``) carrying them.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.builders.visits import record

Record = dict[str, Any]
PT_SIG: Record = {"name": "Ana Ruiz", "credential": "PT", "date": "2026-03-02"}
MD_SIG: Record = {"name": "Dr Lee Park", "credential": "MD", "npi": "1245319599",
                  "date": "2026-03-10"}  # fmt: skip


def evaluation(**changes: Any) -> Record:
    out: Record = {
        "history": "Low back pain radiating to the left leg for six weeks after lifting.",
        "systems_review": "Cardiopulmonary, integumentary and neuromuscular screens clear.",
        "tests_and_measures": [
            {"name": "Oswestry Disability Index", "value": "42%"},
            {"name": "lumbar flexion AROM", "value": "40 degrees"},
        ],
        "functional_limitations": "Cannot sit over 20 minutes or lift 10 lb from the floor.",
        "complexity": "moderate",
        "signature": PT_SIG,
    }
    return _changed(out, changes)


def plan(**changes: Any) -> Record:
    out: Record = {
        "diagnoses": ["M54.16"],
        "goals": [
            {
                "text": "Sit through a 60-minute work meeting",
                "measure": "sitting tolerance",
                "target": "60 minutes",
                "term": "long",
            },
        ],
        "treatment_types": ["97110", "97140"],
        "amount_per_day": 1,
        "frequency_per_week": 2,
        "duration_weeks": 8,
        "signature": PT_SIG,
        "certification": MD_SIG,
    }
    return _changed(out, changes)


def report(**changes: Any) -> Record:
    out: Record = {
        "measures": [{"name": "Oswestry Disability Index", "baseline": "42%", "current": "30%"}],
        "goals": [
            {
                "text": "Sit through a 60-minute work meeting",
                "term": "long",
                "status": "progressing",
            }
        ],
        "justification": "Sitting tolerance up to 40 minutes; lifting still limited.",
        "signature": PT_SIG,
    }
    return _changed(out, changes)


def note(**changes: Any) -> Record:
    out: Record = {
        "interventions": [
            {"code": "97110", "minutes": 30, "description": "lumbar stabilization progression"},
            {"code": "97140", "minutes": 10, "description": "lumbar joint mobilization"},
        ],
        "total_timed_minutes": 40,
        "total_treatment_minutes": 45,
        "response": "Tolerated well; pain 3/10 after, from 5/10.",
        "signature": PT_SIG,
    }
    return _changed(out, changes)


def documented(documentation: Record, **changes: Any) -> Record:
    """The base visit record with ``documentation`` and any other top-level changes."""
    return record(documentation=documentation, **changes)


def _changed(out: Record, changes: dict[str, Any]) -> Record:
    out = copy.deepcopy(out)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out
