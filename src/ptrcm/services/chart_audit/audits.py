"""Start a chart audit, re-audit it after correction, and read its results.

An audit samples episodes of the period (``sampling``), scores every record of each
(``domain.chart_audit.engine``) and stores the scores as round 1 with the criteria
version. A re-audit reads the same visits as they are now stored (corrected and
re-imported) and stores the next round; earlier rounds are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ptrcm.domain.chart_audit.criteria import CriteriaCatalog, load_criteria
from ptrcm.domain.chart_audit.engine import RecordScore, checked_catalog, score_episode
from ptrcm.domain.chart_audit.episodes import episodes_of
from ptrcm.domain.chart_audit.stored import METHODS, AuditSpec, ChartAudit, StoredResult
from ptrcm.domain.codes import load_catalog
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.chart_audit.ports import ChartAuditUnitOfWork
from ptrcm.services.chart_audit.sampling import random_sample, risk_sample


@dataclass(frozen=True, slots=True)
class AuditRun:
    audit_id: int
    round: int
    episodes: int
    scores: tuple[RecordScore, ...]

    @property
    def passed(self) -> int:
        return sum(1 for s in self.scores if s.passed)


def _bad(field: str, message: str) -> InputError:
    return InputError([RecordProblem("chart-audit", None, field, message)])


def start_audit(
    uow: ChartAuditUnitOfWork,
    *,
    start: date,
    end: date,
    method: str = "random",
    episodes: int = 10,
    seed: int = 0,
    name: str | None = None,
    criteria: CriteriaCatalog | None = None,
) -> AuditRun:
    """Sample ``episodes`` episodes with a visit in [start, end] and score them (round 1)."""
    if method not in METHODS:
        raise _bad("method", f"must be one of {', '.join(METHODS)}")
    if episodes < 1:
        raise _bad("episodes", "must be at least 1")
    if end < start:
        raise _bad("to", "is before the start of the period")
    catalog = checked_catalog(criteria or load_criteria())
    codes = load_catalog()
    candidates = uow.chart_audits.candidates(start, end)
    by_visit = {c.visit.visit_id: c for c in candidates}
    all_episodes = episodes_of([c.visit for c in candidates], codes)
    if method == "random":
        picked = random_sample(all_episodes, episodes, seed)
    else:
        picked = risk_sample(all_episodes, by_visit, episodes)
    spec = AuditSpec(
        name or f"{method} audit {start.isoformat()}..{end.isoformat()}",
        method, seed if method == "random" else None, start, end, len(picked), catalog.version,
    )  # fmt: skip
    audit_id = uow.chart_audits.create(spec)
    scores = [s for e in picked for s in score_episode(e, catalog, codes)]
    uow.chart_audits.add_results(audit_id, 1, scores, catalog.version)
    uow.commit()
    return AuditRun(audit_id, 1, len(picked), tuple(scores))


def reaudit(
    uow: ChartAuditUnitOfWork, audit_id: int, criteria: CriteriaCatalog | None = None
) -> AuditRun:
    """Score the audit's visits again as stored now: the next round."""
    audit = _audit(uow, audit_id)
    catalog = checked_catalog(criteria or load_criteria())
    codes = load_catalog()
    earlier = uow.chart_audits.results(audit.id)
    first_round = [r.visit_id for r in earlier if r.round == 1]
    round_number = max(r.round for r in earlier) + 1 if earlier else 1
    visits = uow.chart_audits.visits(first_round)
    picked = episodes_of(visits, codes)
    scores = [s for e in picked for s in score_episode(e, catalog, codes)]
    uow.chart_audits.add_results(audit.id, round_number, scores, catalog.version)
    uow.commit()
    return AuditRun(audit.id, round_number, len(picked), tuple(scores))


def _audit(uow: ChartAuditUnitOfWork, audit_id: int) -> ChartAudit:
    audit = uow.chart_audits.get(audit_id)
    if audit is None:
        raise _bad("audit", f"no chart audit {audit_id}")
    return audit


def latest_round(results: Sequence[StoredResult]) -> list[StoredResult]:
    """Each visit's result in its latest round."""
    last: dict[str, StoredResult] = {}
    for r in results:
        if r.visit_id not in last or r.round >= last[r.visit_id].round:
            last[r.visit_id] = r
    return list(last.values())


def show(uow: ChartAuditUnitOfWork, audit_id: int) -> tuple[ChartAudit, list[StoredResult]]:
    audit = _audit(uow, audit_id)
    return audit, uow.chart_audits.results(audit.id)
