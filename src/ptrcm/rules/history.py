"""Helpers over a patient's earlier visits, shared by the A, C and E rules.

Pack parameters read: none.

``PatientHistory.prior_visits`` holds the patient's earlier visits (from the input file
and/or the database), oldest first. The helpers here are defensive about what they get:
the visit being scrubbed is never its own history, a visit id seen twice (file and
database) counts once, and a visit dated after the one being scrubbed is not "earlier".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from ptrcm.domain.visits import Visit
from ptrcm.rules.engine import ScrubContext


def earlier_visits(ctx: ScrubContext, since: date | None = None) -> list[Visit]:
    """The patient's visits before this one (same date allowed), oldest first, each once.

    With ``since``, only visits dated on or after it. History is oldest first, so the walk
    goes from the newest visit back and stops at the first one dated before ``since``: a
    window costs what is inside it, not the patient's whole history.
    """
    visit = ctx.visit
    seen = {visit.visit_id}
    out: list[Visit] = []
    for prior in reversed(ctx.history.prior_visits):
        day = prior.date_of_service
        if since is not None and day < since:
            break
        if day > visit.date_of_service or prior.visit_id in seen:
            continue
        if prior.patient_id != visit.patient_id:
            continue
        seen.add(prior.visit_id)
        out.append(prior)
    out.reverse()
    return out


def plan_year_start(day: date, anchor: date | None) -> date:
    """First day of the benefit year containing ``day``.

    ``anchor`` is any start of a plan year (``benefits.plan_year_start``); the plan year
    renews on its month and day every year (29 February renews on 28 February in other
    years). Without an anchor the plan year is the calendar year.
    """
    if anchor is None:
        return date(day.year, 1, 1)
    start = _anniversary(anchor, day.year)
    return start if start <= day else _anniversary(anchor, day.year - 1)


def _anniversary(anchor: date, year: int) -> date:
    if anchor.month == 2 and anchor.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return anchor.replace(year=year)


def treatment_days(visits: Sequence[Visit]) -> set[date]:
    """Distinct calendar days with a visit (a treatment day, reference §5)."""
    return {v.date_of_service for v in visits}


def count_before(
    own: int | None,
    counted: Callable[[], Sequence[Visit]],
    counter: Callable[[Visit], int | None],
) -> int:
    """Visits used before this one, from the record's counter or else from history.

    ``own`` is this record's counter ("visits used before this visit", as the EMR or the
    payer reported it); when present it is authoritative and history adds nothing to it,
    because any earlier visit the counter saw would otherwise be counted twice. When it is
    absent, the latest earlier visit that carries a counter anchors the count: its counter
    plus that visit and every counted visit after it. With no counter anywhere, the count is
    the number of earlier visits that count. ``counted()`` returns those visits (same
    authorization or same plan year), oldest first; it is called only when ``own`` is
    absent, so the common case never walks the history.
    """
    if own is not None:
        return own
    prior = counted()
    for index in range(len(prior) - 1, -1, -1):
        value = counter(prior[index])
        if value is not None:
            return value + (len(prior) - index)
    return len(prior)
