"""What each criterion of the catalog checks: ``CHECKS[id](ctx, criterion)`` is True when
the record meets it, False when it does not (a finding), None when it does not apply.

A criterion in the catalog without a check here (or the reverse) is refused by
``engine.checked_catalog``, so data and code cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ptrcm.domain.chart_audit.criteria import Criterion
from ptrcm.domain.chart_audit.episodes import RecordContext, reports
from ptrcm.domain.documentation import (
    CarePlanDocument,
    DailyNote,
    Evaluation,
    ProgressReport,
    Signature,
)
from ptrcm.domain.visits import ASSISTANT_CREDENTIALS

Check = Callable[[RecordContext, Criterion], bool | None]


def _evaluation(ctx: RecordContext) -> Evaluation | None:
    d = ctx.visit.documentation
    return d.evaluation if d else None


def _plan(ctx: RecordContext) -> CarePlanDocument | None:
    d = ctx.visit.documentation
    return d.plan_of_care if d else None


def _report(ctx: RecordContext) -> ProgressReport | None:
    d = ctx.visit.documentation
    return d.progress_report if d else None


def _note(ctx: RecordContext) -> DailyNote | None:
    d = ctx.visit.documentation
    return d.daily_note if d else None


def _signed(s: Signature | None) -> bool:
    return s is not None and s.complete


def ev01(ctx: RecordContext, _: Criterion) -> bool | None:
    if not ctx.evaluation_codes:
        return None
    return _evaluation(ctx) is not None


def _on_evaluation(test: Callable[[Evaluation], bool]) -> Check:
    def check(ctx: RecordContext, _: Criterion) -> bool | None:
        e = _evaluation(ctx)
        return None if e is None else test(e)

    return check


def _on_plan(test: Callable[[CarePlanDocument], bool]) -> Check:
    def check(ctx: RecordContext, _: Criterion) -> bool | None:
        p = _plan(ctx)
        return None if p is None else test(p)

    return check


def _on_report(test: Callable[[ProgressReport], bool]) -> Check:
    def check(ctx: RecordContext, _: Criterion) -> bool | None:
        r = _report(ctx)
        return None if r is None else test(r)

    return check


def _on_note(test: Callable[[DailyNote], bool]) -> Check:
    def check(ctx: RecordContext, _: Criterion) -> bool | None:
        n = _note(ctx)
        return None if n is None else test(n)

    return check


def pc01(ctx: RecordContext, c: Criterion) -> bool | None:
    """Asked once per episode, on its first treatment day (when that day is seen): a plan
    written within ``days`` of it (a recertification months later does not count)."""
    if ctx.day != 1:
        return None
    first = ctx.episode.first_date
    return any(
        v.documentation is not None
        and v.documentation.plan_of_care is not None
        and (v.date_of_service - first).days <= c.param("days")
        for v in ctx.episode.visits
    )


def ct02(ctx: RecordContext, c: Criterion) -> bool | None:
    plan = _plan(ctx)
    cert = plan.certification if plan else None
    if not ctx.is_first_plan or not ctx.episode.starts_in_view or cert is None:
        return None
    if cert.signed_on is None:
        return None  # CT01 reports the missing date
    return (cert.signed_on - ctx.episode.first_date).days <= c.param("days")


def ct03(ctx: RecordContext, _: Criterion) -> bool | None:
    if not ctx.certified:
        return None  # no certification at all: CT01 reports it on the plan
    day = ctx.visit.date_of_service
    if day < min(c.start for c in ctx.certified):
        return None  # under a plan written before the audited visits
    return any(c.start <= day <= c.end for c in ctx.certified)


def pr01(ctx: RecordContext, c: Criterion) -> bool | None:
    if reports(ctx.visit, ctx.day):
        return True
    return ctx.day - ctx.last_report_day <= c.param("treatment_days")


def pr05(r: ProgressReport) -> bool:
    s = r.signature
    return _signed(s) and s is not None and s.credential not in ASSISTANT_CREDENTIALS


def tn01(ctx: RecordContext, _: Criterion) -> bool | None:
    if _note(ctx) is not None:
        return True
    only_evaluation = all(
        (i := ctx.catalog.get(s.code)) is not None and i.is_evaluation for s in ctx.visit.services
    )
    return only_evaluation and _evaluation(ctx) is not None


def _billed_timed(ctx: RecordContext) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for s in ctx.visit.services:
        if not ctx.catalog.is_timed(s.code):
            continue
        before = out.get(s.code, 0)
        out[s.code] = None if s.minutes is None or before is None else before + s.minutes
    return out


def tn02(ctx: RecordContext, _: Criterion) -> bool | None:
    note = _note(ctx)
    billed = _billed_timed(ctx)
    if note is None or not billed:
        return None
    documented: dict[str, int] = {}
    for i in note.interventions:
        documented[i.code] = documented.get(i.code, 0) + (i.minutes or 0)
    return all(
        documented.get(code, 0) > 0 and (minutes is None or documented[code] == minutes)
        for code, minutes in billed.items()
    )


def tn03(ctx: RecordContext, _: Criterion) -> bool | None:
    note = _note(ctx)
    if note is None:
        return None
    timed = sum(i.minutes or 0 for i in note.interventions if ctx.catalog.is_timed(i.code))
    if note.total_timed_minutes is None:
        return not _billed_timed(ctx)  # nothing timed billed: nothing to total
    return note.total_timed_minutes == timed


def tn07(ctx: RecordContext, _: Criterion) -> bool | None:
    note = _note(ctx)
    if note is None or not ctx.visit.by_assistant:
        return None
    return note.supervision is not None


CHECKS: Mapping[str, Check] = {
    "EV01": ev01,
    "EV02": _on_evaluation(lambda e: e.history is not None),
    "EV03": _on_evaluation(lambda e: e.systems_review is not None),
    "EV04": _on_evaluation(
        lambda e: bool(e.tests_and_measures) and all(m.value for m in e.tests_and_measures)
    ),
    "EV05": _on_evaluation(lambda e: e.functional_limitations is not None),
    "EV06": _on_evaluation(lambda e: e.complexity is not None),
    "EV07": _on_evaluation(lambda e: _signed(e.signature)),
    "PC01": pc01,
    "PC02": _on_plan(lambda p: bool(p.diagnoses)),
    "PC03": _on_plan(lambda p: any(g.term == "long" for g in p.goals)),
    "PC04": _on_plan(lambda p: all(g.measurable for g in p.goals if g.term == "long")),
    "PC05": _on_plan(lambda p: bool(p.treatment_types)),
    "PC06": _on_plan(
        lambda p: None not in (p.amount_per_day, p.frequency_per_week, p.duration_weeks)
    ),
    "PC07": _on_plan(lambda p: _signed(p.signature)),
    "CT01": _on_plan(lambda p: _signed(p.certification)),
    "CT02": ct02,
    "CT03": ct03,
    "PR01": pr01,
    "PR02": _on_report(
        lambda r: bool(r.measures) and all(m.baseline and m.current for m in r.measures)
    ),
    "PR03": _on_report(lambda r: bool(r.goals) and all(g.status for g in r.goals)),
    "PR04": _on_report(lambda r: r.justification is not None),
    "PR05": _on_report(pr05),
    "TN01": tn01,
    "TN02": tn02,
    "TN03": tn03,
    "TN04": _on_note(
        lambda n: (
            n.total_treatment_minutes is not None
            and n.total_treatment_minutes >= (n.total_timed_minutes or 0)
        )
    ),
    "TN05": _on_note(lambda n: n.response is not None),
    "TN06": _on_note(lambda n: _signed(n.signature)),
    "TN07": tn07,
}
