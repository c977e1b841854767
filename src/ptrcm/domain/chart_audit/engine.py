"""Scoring: every record of the episodes audited against every criterion of the catalog.

A record is one visit's documentation. Its score is the share of the criteria that apply
to it and are met; it passes when no significant finding is left. Pure: no clock, no
store, the same visits and catalog give the same scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ptrcm.domain.chart_audit.checks import CHECKS
from ptrcm.domain.chart_audit.criteria import CriteriaCatalog, Criterion
from ptrcm.domain.chart_audit.episodes import Episode, contexts, episodes_of
from ptrcm.domain.codes import Catalog
from ptrcm.domain.visits import Visit
from ptrcm.errors import InvariantError


@dataclass(frozen=True, slots=True)
class Finding:
    criterion_id: str
    severity: str
    title: str
    advice: str

    @property
    def significant(self) -> bool:
        return self.severity == "significant"


@dataclass(frozen=True, slots=True)
class RecordScore:
    """The audit of one visit's documentation."""

    visit_id: str
    episode_key: str
    therapist: str  # rendering NPI, else credential and name
    location_id: str | None
    applied: tuple[str, ...]  # the ids of the criteria that applied, met or not
    findings: tuple[Finding, ...]

    @property
    def applicable(self) -> int:
        return len(self.applied)

    @property
    def met(self) -> int:
        return len(self.applied) - len(self.findings)

    @property
    def passed(self) -> bool:
        return not any(f.significant for f in self.findings)

    @property
    def score(self) -> float:
        """Share of applicable criteria met (1.0 when none apply); for display only."""
        return 1.0 if not self.applicable else self.met / self.applicable


def therapist_key(visit: Visit) -> str:
    r = visit.rendering
    return r.npi or f"{r.credential}:{r.name or '?'}"


def checked_catalog(catalog: CriteriaCatalog) -> CriteriaCatalog:
    """The catalog, once every criterion has a check and every check a criterion."""
    missing = sorted(set(catalog.ids) - set(CHECKS))
    extra = sorted(set(CHECKS) - set(catalog.ids))
    if missing or extra:
        raise InvariantError(f"criteria without a check {missing}, checks without one {extra}")
    return catalog


def score_episode(episode: Episode, criteria: CriteriaCatalog, codes: Catalog) -> list[RecordScore]:
    out = []
    for ctx in contexts(episode, codes):
        applied = []
        findings = []
        for c in criteria:
            result = CHECKS[c.id](ctx, c)
            if result is None:
                continue
            applied.append(c.id)
            if not result:
                findings.append(_finding(c))
        v = ctx.visit
        out.append(
            RecordScore(
                v.visit_id,
                episode.key,
                therapist_key(v),
                v.location_id,
                tuple(applied),
                tuple(findings),
            )
        )
    return out


def score_visits(
    visits: Iterable[Visit], criteria: CriteriaCatalog, codes: Catalog
) -> list[RecordScore]:
    """Scores of every visit, episode by episode."""
    checked_catalog(criteria)
    out: list[RecordScore] = []
    for episode in episodes_of(visits, codes):
        out.extend(score_episode(episode, criteria, codes))
    return out


def _finding(c: Criterion) -> Finding:
    return Finding(c.id, c.severity, c.title, c.advice)
