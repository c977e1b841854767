"""The ``documentation`` element of a visit record <-> ``Documentation``.

``read_documentation`` is called by ``interchange.parse_visit`` and reports every defect
through the same ``RecordFields``; ``documentation_record`` is its inverse, used by
``records.visit_to_record``. Narrative fields are free text (line breaks allowed, at most
``input_limits.STRING_MAX`` characters) and are never quoted in a message: they may hold
patient details.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from ptrcm.domain import input_limits as lim
from ptrcm.domain.documentation import (
    COMPLEXITIES,
    GOAL_STATUSES,
    GOAL_TERMS,
    CarePlanDocument,
    DailyNote,
    Documentation,
    Evaluation,
    Goal,
    Intervention,
    Measure,
    ProgressReport,
    Signature,
)
from ptrcm.domain.record_fields import RecordFields

T = TypeVar("T")
LIST_MAX = 50  # items of one list (tests, goals, interventions)
_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def read_documentation(f: RecordFields, record: dict[str, Any]) -> Documentation | None:
    raw = f.obj(record, "documentation", "documentation")
    if raw is None:
        return None
    p = "documentation."
    unknown = sorted(set(raw) - {"evaluation", "plan_of_care", "progress_report", "daily_note"})
    for key in unknown:
        f.bad(p + key if key.isidentifier() else "documentation", "is not a documentation element")
    return Documentation(
        evaluation=_evaluation(f, raw, p + "evaluation"),
        plan_of_care=_plan(f, raw, p + "plan_of_care"),
        progress_report=_report(f, raw, p + "progress_report"),
        daily_note=_note(f, raw, p + "daily_note"),
    )


def _text(f: RecordFields, obj: dict[str, Any], key: str, path: str) -> str | None:
    """Free text: non-empty, line breaks allowed, never quoted back."""
    value = f.get(obj, key, path)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        f.bad(path, "must be non-empty text")
        return None
    if f.limits and (found := lim.tree_problem(value)) is not None:
        f.bad(path, found[1])
        return None
    return value.strip()


def _items(
    f: RecordFields, obj: dict[str, Any], key: str, path: str, read: Callable[[Any, str], T | None]
) -> tuple[T, ...]:
    raw = f.get(obj, key, path)
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > LIST_MAX:
        f.bad(path, f"must be a list of at most {LIST_MAX} items")
        return ()
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            f.bad(f"{path}[{i}]", "must be an object")
            continue
        value = read(item, f"{path}[{i}]")
        if value is not None:
            out.append(value)
    return tuple(out)


def _signature(f: RecordFields, obj: dict[str, Any], key: str, path: str) -> Signature | None:
    raw = f.obj(obj, key, path)
    if raw is None:
        return None
    npi = f.string(raw, "npi", path + ".npi")
    if npi is not None and not (len(npi) == 10 and npi.isdigit()):
        f.bad(path + ".npi", "must be 10 digits")
    return Signature(
        name=f.string(raw, "name", path + ".name", max_len=lim.PROVIDER_NAME_MAX),
        credential=f.string(raw, "credential", path + ".credential", max_len=lim.CODE_TEXT_MAX),
        signed_on=f.day(raw, "date", path + ".date"),
        npi=npi,
    )


def _measure(f: RecordFields) -> Callable[[Any, str], Measure | None]:
    def read(item: dict[str, Any], path: str) -> Measure | None:
        name = _text(f, item, "name", path + ".name")
        if name is None:
            f.bad(path + ".name", "is required")
            return None
        return Measure(
            name=name,
            value=_text(f, item, "value", path + ".value"),
            baseline=_text(f, item, "baseline", path + ".baseline"),
            current=_text(f, item, "current", path + ".current"),
        )

    return read


def _goal(f: RecordFields) -> Callable[[Any, str], Goal | None]:
    def read(item: dict[str, Any], path: str) -> Goal | None:
        text = _text(f, item, "text", path + ".text")
        term = f.string(item, "term", path + ".term") or "long"
        if term not in GOAL_TERMS:
            f.bad(path + ".term", "must be short or long", term)
        status = f.string(item, "status", path + ".status")
        if status is not None and status not in GOAL_STATUSES:
            f.bad(path + ".status", "must be met, progressing, not_met or discontinued", status)
        if text is None:
            f.bad(path + ".text", "is required")
            return None
        return Goal(
            text=text,
            measure=_text(f, item, "measure", path + ".measure"),
            target=_text(f, item, "target", path + ".target"),
            term=term,
            status=status,
        )

    return read


def _evaluation(f: RecordFields, obj: dict[str, Any], path: str) -> Evaluation | None:
    raw = f.obj(obj, "evaluation", path)
    if raw is None:
        return None
    complexity = f.string(raw, "complexity", path + ".complexity")
    if complexity is not None and complexity not in COMPLEXITIES:
        f.bad(path + ".complexity", "must be low, moderate or high", complexity)
    return Evaluation(
        history=_text(f, raw, "history", path + ".history"),
        systems_review=_text(f, raw, "systems_review", path + ".systems_review"),
        tests_and_measures=_items(
            f, raw, "tests_and_measures", path + ".tests_and_measures", _measure(f)
        ),
        functional_limitations=_text(
            f, raw, "functional_limitations", path + ".functional_limitations"
        ),
        complexity=complexity,
        signature=_signature(f, raw, "signature", path + ".signature"),
    )


def _plan(f: RecordFields, obj: dict[str, Any], path: str) -> CarePlanDocument | None:
    raw = f.obj(obj, "plan_of_care", path)
    if raw is None:
        return None
    diagnoses = f.get(raw, "diagnoses", path + ".diagnoses") or []
    ok = isinstance(diagnoses, list) and len(diagnoses) <= 12
    if not ok or not all(isinstance(d, str) and _ICD_SHAPE.fullmatch(d.upper()) for d in diagnoses):
        f.bad(path + ".diagnoses", "must be a list of at most twelve ICD-10-CM codes")
        diagnoses = []
    types = f.get(raw, "treatment_types", path + ".treatment_types") or []
    if not isinstance(types, list) or not all(
        isinstance(t, str) and t.strip() and len(t) <= lim.CODE_TEXT_MAX for t in types
    ):
        f.bad(path + ".treatment_types", "must be a list of codes or short names")
        types = []
    return CarePlanDocument(
        diagnoses=tuple(d.upper() for d in diagnoses),
        goals=_items(f, raw, "goals", path + ".goals", _goal(f)),
        treatment_types=tuple(t.strip() for t in types),
        amount_per_day=f.integer(raw, "amount_per_day", path + ".amount_per_day", 1, maximum=9),
        frequency_per_week=f.integer(
            raw, "frequency_per_week", path + ".frequency_per_week", 1, maximum=7
        ),
        duration_weeks=f.integer(raw, "duration_weeks", path + ".duration_weeks", 1, maximum=104),
        signature=_signature(f, raw, "signature", path + ".signature"),
        certification=_signature(f, raw, "certification", path + ".certification"),
    )


def _report(f: RecordFields, obj: dict[str, Any], path: str) -> ProgressReport | None:
    raw = f.obj(obj, "progress_report", path)
    if raw is None:
        return None
    return ProgressReport(
        measures=_items(f, raw, "measures", path + ".measures", _measure(f)),
        goals=_items(f, raw, "goals", path + ".goals", _goal(f)),
        justification=_text(f, raw, "justification", path + ".justification"),
        signature=_signature(f, raw, "signature", path + ".signature"),
    )


def _note(f: RecordFields, obj: dict[str, Any], path: str) -> DailyNote | None:
    raw = f.obj(obj, "daily_note", path)
    if raw is None:
        return None

    def intervention(item: dict[str, Any], where: str) -> Intervention | None:
        code = f.string(item, "code", where + ".code", required=True, max_len=lim.CODE_TEXT_MAX)
        minutes = f.integer(item, "minutes", where + ".minutes", maximum=lim.MINUTES_PER_DAY)
        text = _text(f, item, "description", where + ".description")
        return None if code is None else Intervention(code, minutes, text)

    day = lim.MINUTES_PER_DAY
    return DailyNote(
        interventions=_items(f, raw, "interventions", path + ".interventions", intervention),
        total_timed_minutes=f.integer(
            raw, "total_timed_minutes", path + ".total_timed_minutes", maximum=day
        ),
        total_treatment_minutes=f.integer(
            raw, "total_treatment_minutes", path + ".total_treatment_minutes", maximum=day
        ),
        response=_text(f, raw, "response", path + ".response"),
        signature=_signature(f, raw, "signature", path + ".signature"),
        supervision=_text(f, raw, "supervision", path + ".supervision"),
    )


# --- back to the record -----------------------------------------------------------------


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v not in ([], ())}


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sig(s: Signature | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return _drop_none(
        {"name": s.name, "credential": s.credential, "date": _day(s.signed_on), "npi": s.npi}
    )


def _measures(items: tuple[Measure, ...]) -> list[dict[str, Any]]:
    return [
        _drop_none({"name": m.name, "value": m.value, "baseline": m.baseline, "current": m.current})
        for m in items
    ]


def _goals(items: tuple[Goal, ...]) -> list[dict[str, Any]]:
    return [
        _drop_none(
            {"text": g.text, "measure": g.measure, "target": g.target, "term": g.term}
            | {"status": g.status}
        )
        for g in items
    ]


def documentation_record(d: Documentation) -> dict[str, Any]:
    """The JSON-ready ``documentation`` element (the inverse of ``read_documentation``)."""
    out: dict[str, Any] = {}
    if (e := d.evaluation) is not None:
        out["evaluation"] = _drop_none(
            {
                "history": e.history,
                "systems_review": e.systems_review,
                "tests_and_measures": _measures(e.tests_and_measures),
                "functional_limitations": e.functional_limitations,
                "complexity": e.complexity,
                "signature": _sig(e.signature),
            }
        )
    if (p := d.plan_of_care) is not None:
        out["plan_of_care"] = _drop_none(
            {
                "diagnoses": list(p.diagnoses),
                "goals": _goals(p.goals),
                "treatment_types": list(p.treatment_types),
                "amount_per_day": p.amount_per_day,
                "frequency_per_week": p.frequency_per_week,
                "duration_weeks": p.duration_weeks,
                "signature": _sig(p.signature),
                "certification": _sig(p.certification),
            }
        )
    if (r := d.progress_report) is not None:
        out["progress_report"] = _drop_none(
            {
                "measures": _measures(r.measures),
                "goals": _goals(r.goals),
                "justification": r.justification,
                "signature": _sig(r.signature),
            }
        )
    if (n := d.daily_note) is not None:
        interventions = [
            _drop_none({"code": i.code, "minutes": i.minutes, "description": i.description})
            for i in n.interventions
        ]
        out["daily_note"] = _drop_none(
            {
                "interventions": interventions,
                "total_timed_minutes": n.total_timed_minutes,
                "total_treatment_minutes": n.total_treatment_minutes,
                "response": n.response,
                "signature": _sig(n.signature),
                "supervision": n.supervision,
            }
        )
    return out
