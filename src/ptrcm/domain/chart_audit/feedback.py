"""Per-therapist feedback from an audit: strengths, the most frequent findings, and
de-identified excerpts of the therapist's own notes showing what was missing and what
the two extra lines would say (the criterion's advice).

A strength is a criterion that applied to at least ``STRENGTH_MIN`` of the therapist's
records and was met on every one. Excerpts quote at most ``EXCERPT_CHARS`` characters of
the record's own text, after ``deidentify``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ptrcm.domain.chart_audit.criteria import CriteriaCatalog
from ptrcm.domain.chart_audit.deidentify import deidentify, identifiers_of
from ptrcm.domain.chart_audit.engine import RecordScore
from ptrcm.domain.visits import Visit

STRENGTH_MIN = 3
TOP_FINDINGS = 5
EXCERPTS = 3
EXCERPT_CHARS = 240


@dataclass(frozen=True, slots=True)
class FindingCount:
    criterion_id: str
    title: str
    severity: str
    count: int
    advice: str


@dataclass(frozen=True, slots=True)
class Excerpt:
    criterion_id: str
    missing: str  # the criterion's title: what the record lacked
    text: str  # de-identified words from the record
    two_lines: str  # what the extra lines would say


@dataclass(frozen=True, slots=True)
class TherapistFeedback:
    therapist: str
    name: str | None
    records: int
    passed: int
    strengths: tuple[str, ...]
    findings: tuple[FindingCount, ...]
    excerpts: tuple[Excerpt, ...]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.records if self.records else 0.0


def _texts(visit: Visit, criterion_id: str) -> list[str]:
    """The record's own words nearest to what the criterion reads."""
    d = visit.documentation
    if d is None:
        return []
    prefix = criterion_id[:2]
    out: list[str | None] = []
    if prefix == "EV" and d.evaluation:
        out += [d.evaluation.history, d.evaluation.functional_limitations]
    if prefix in ("PC", "CT") and d.plan_of_care:
        out += [g.text for g in d.plan_of_care.goals]
    if prefix == "PR" and d.progress_report:
        out += [d.progress_report.justification, *(g.text for g in d.progress_report.goals)]
    if d.daily_note:
        out += [d.daily_note.response, *(i.description for i in d.daily_note.interventions)]
    return [t for t in out if t]


def _excerpt(visit: Visit, criterion_id: str) -> str:
    texts = _texts(visit, criterion_id)
    if not texts:
        return "(no documentation for this date of service)"
    text = deidentify(" ".join(texts), identifiers_of(visit))
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def build_feedback(
    therapist: str,
    scores: Sequence[RecordScore],
    visits: Mapping[str, Visit],
    criteria: CriteriaCatalog,
) -> TherapistFeedback:
    """The feedback for one therapist from that therapist's scored records."""
    mine = [s for s in scores if s.therapist == therapist]
    applied: Counter[str] = Counter(c for s in mine for c in s.applied)
    failed: Counter[str] = Counter(f.criterion_id for s in mine for f in s.findings)
    strengths = tuple(
        criteria.get(c).title for c in criteria.ids if applied[c] >= STRENGTH_MIN and failed[c] == 0
    )
    order = sorted(failed, key=lambda c: (not criteria.get(c).significant, -failed[c], c))
    counts = tuple(
        FindingCount(c, criteria.get(c).title, criteria.get(c).severity, failed[c],
                     criteria.get(c).advice)
        for c in order[:TOP_FINDINGS]
    )  # fmt: skip
    excerpts: list[Excerpt] = []
    for c in order:
        if len(excerpts) >= EXCERPTS:
            break
        example = next(
            (s for s in mine if c in {f.criterion_id for f in s.findings} and s.visit_id in visits),
            None,
        )
        if example is not None:
            crit = criteria.get(c)
            text = _excerpt(visits[example.visit_id], c)
            excerpts.append(Excerpt(c, crit.title, text, crit.advice))
    name = next((visits[s.visit_id].rendering.name for s in mine if s.visit_id in visits), None)
    passed = sum(1 for s in mine if s.passed)
    return TherapistFeedback(therapist, name, len(mine), passed, strengths, counts, tuple(excerpts))
