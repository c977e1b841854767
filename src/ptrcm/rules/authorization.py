"""A rules: prior authorization and annual visit limits.

Pack parameters read (name, default):

- ``auth_required``: ``payer.auth_required`` — A001, the payer needs an authorization.
- ``auth_warn_remaining``: 2 — A004, warn when this many or fewer authorized visits remain
  after this one.
- ``visit_limit_per_year``: ``payer.visit_limit_per_year`` — A005/A006, used when the
  record's ``benefits.visit_limit`` is absent (None: no limit).
- ``visit_limit_warn_remaining``: 2 — A006, warn when this many or fewer visits of the
  annual limit remain after this one.

How "visits used" is counted (the same rule for authorizations and annual limits):

1. The record's counter (``authorization.visits_used``, ``benefits.visits_used``) means
   "visits used before this visit" and, when present, is authoritative: history adds
   nothing to it. Earlier visits of the same input file were either seen by that counter
   (adding them would count them twice) or the counter is wrong, which history cannot
   tell.
2. Without it, the latest earlier visit that has a counter anchors the count: its counter
   plus that visit and every counted visit after it (``history.count_before``).
3. Without any counter, the count is the number of earlier visits that count.

Earlier visits that count are the patient's visits before this one (``history.
earlier_visits``: each visit id once, none dated after this one) to the same payer and,
for an authorization, carrying the same authorization number and dated inside its window;
for an annual limit, dated inside the plan year containing this date of service
(``benefits.plan_year_start``, else the calendar year). Every visit of any discipline
counts once (combined PT/OT/SLP limit). This visit is then visit ``used + 1``: it is
covered while ``used + 1 <= limit``; the limit is exceeded at ``used + 1 > limit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ptrcm.domain.visits import Authorization, Visit
from ptrcm.rules.engine import Hit, Rule, ScrubContext, Severity
from ptrcm.rules.history import count_before, earlier_visits, plan_year_start

DEFAULT_WARN_REMAINING = 2


@dataclass(frozen=True, slots=True)
class Usage:
    """This visit's place in a limit: it is visit ``number`` of ``limit``."""

    number: int
    limit: int

    @property
    def exceeded(self) -> bool:
        return self.number > self.limit

    @property
    def remaining_after(self) -> int:
        return self.limit - self.number


def _same_authorization(prior: Visit, visit: Visit, auth: Authorization) -> bool:
    other = prior.authorization
    if other is None or prior.payer_id != visit.payer_id:
        return False
    if auth.number:
        same = other.number == auth.number
    else:
        same = not other.number and (other.start, other.end) == (auth.start, auth.end)
    dos = prior.date_of_service
    in_window = (auth.start is None or dos >= auth.start) and (auth.end is None or dos <= auth.end)
    return same and in_window


def authorization_usage(ctx: ScrubContext) -> Usage | None:
    """This visit's number under its authorization, or None when there is no visit count."""
    auth = ctx.visit.authorization
    if auth is None or auth.visits_authorized is None:
        return None
    used = count_before(
        auth.visits_used,
        lambda: [
            v for v in earlier_visits(ctx, auth.start) if _same_authorization(v, ctx.visit, auth)
        ],
        lambda v: v.authorization.visits_used if v.authorization else None,
    )
    return Usage(used + 1, auth.visits_authorized)


def annual_usage(ctx: ScrubContext) -> Usage | None:
    """This visit's number in the plan year's visit limit, or None when there is no limit."""
    visit = ctx.visit
    benefits = visit.benefits
    limit = benefits.visit_limit if benefits and benefits.visit_limit is not None else None
    if limit is None:
        limit = ctx.pack.param("visit_limit_per_year", ctx.payer.visit_limit_per_year)
    if limit is None:
        return None
    start = plan_year_start(visit.date_of_service, benefits.plan_year_start if benefits else None)
    used = count_before(
        benefits.visits_used if benefits else None,
        lambda: [v for v in earlier_visits(ctx, start) if v.payer_id == visit.payer_id],
        lambda v: v.benefits.visits_used if v.benefits else None,
    )
    return Usage(used + 1, int(limit))


def check_authorization_on_file(ctx: ScrubContext) -> Iterator[Hit]:
    """A001: a payer that requires prior authorization needs one on the claim (CARC 197).

    Required when the pack's ``auth_required`` (default: the payer's setting) is true. An
    authorization without a number cannot be reported (837P REF*G1) and counts as none.
    """
    if not bool(ctx.pack.param("auth_required", ctx.payer.auth_required)):
        return
    auth = ctx.visit.authorization
    if auth is not None and auth.number:
        return
    yield Hit(
        f"{ctx.payer.name} requires prior authorization and none is on file for "
        f"{ctx.visit.date_of_service.isoformat()}: obtain it (or record its number) before "
        "the claim is released."
    )


def check_authorized_visits(ctx: ScrubContext) -> Iterator[Hit]:
    """A002: the visit is beyond the number of visits authorized (CARC 197/198, N362).

    See the module docstring for how visits used are counted; visit ``authorized`` itself
    is still covered, visit ``authorized + 1`` is not.
    """
    usage = authorization_usage(ctx)
    if usage is None or not usage.exceeded:
        return
    yield Hit(
        f"This is visit {usage.number} under an authorization for {usage.limit} visits: "
        "request additional visits from the payer (retro-authorization) or hold the claim."
    )


def check_authorization_window(ctx: ScrubContext) -> Iterator[Hit]:
    """A003: the date of service must fall inside the authorization's start..end (inclusive)."""
    auth = ctx.visit.authorization
    if auth is None:
        return
    dos = ctx.visit.date_of_service
    if auth.start is not None and dos < auth.start:
        why = f"starts {auth.start.isoformat()}"
    elif auth.end is not None and dos > auth.end:
        why = f"ended {auth.end.isoformat()}"
    else:
        return
    yield Hit(
        f"The authorization {why}, outside the date of service {dos.isoformat()}: request an "
        "extension or a new authorization covering this date."
    )


def check_authorization_running_out(ctx: ScrubContext) -> Iterator[Hit]:
    """A004: warn when at most ``auth_warn_remaining`` authorized visits remain after this one.

    Front-desk practice: request more visits before the authorization is exhausted [D].
    """
    usage = authorization_usage(ctx)
    if usage is None or usage.exceeded:
        return
    warn = int(ctx.pack.param("auth_warn_remaining", DEFAULT_WARN_REMAINING))
    if usage.remaining_after <= warn:
        yield Hit(
            f"Visit {usage.number} of {usage.limit} authorized; {usage.remaining_after} left "
            "after this one: request more visits now if the plan of care continues."
        )


def check_annual_limit(ctx: ScrubContext) -> Iterator[Hit]:
    """A005: the plan's annual therapy visit limit is exceeded (CARC 119, N362).

    Limit from ``benefits.visit_limit``, else the pack's ``visit_limit_per_year``. See the
    module docstring for how visits used are counted.
    """
    usage = annual_usage(ctx)
    if usage is None or not usage.exceeded:
        return
    yield Hit(
        f"This is visit {usage.number} of a {usage.limit}-visit annual limit: confirm the "
        "benefit with the payer; bill the patient only with a signed financial waiver."
    )


def check_annual_limit_near(ctx: ScrubContext) -> Iterator[Hit]:
    """A006: warn when at most ``visit_limit_warn_remaining`` visits of the limit remain [D]."""
    usage = annual_usage(ctx)
    if usage is None or usage.exceeded:
        return
    warn = int(ctx.pack.param("visit_limit_warn_remaining", DEFAULT_WARN_REMAINING))
    if usage.remaining_after <= warn:
        yield Hit(
            f"Visit {usage.number} of a {usage.limit}-visit annual limit; "
            f"{usage.remaining_after} left after this one: tell the patient and plan the "
            "remaining visits."
        )


RULES: tuple[Rule, ...] = (
    Rule(
        "A001",
        "Authorization required but none on file",
        Severity.ERROR,
        "Payer prior-authorization policy (CARC 197)",
        check_authorization_on_file,
        "a Medicaid visit with no authorization",
    ),
    Rule(
        "A002",
        "Visit beyond the authorized number of visits",
        Severity.ERROR,
        "Payer authorization terms (CARC 197/198, RARC N362)",
        check_authorized_visits,
        "visit 13 under an authorization for 12 visits",
    ),
    Rule(
        "A003",
        "Date of service outside the authorization window",
        Severity.ERROR,
        "Payer authorization terms (CARC 197)",
        check_authorization_window,
        "authorization ends 2026-04-10, date of service 2026-04-14",
    ),
    Rule(
        "A004",
        "Authorization nearly exhausted",
        Severity.WARNING,
        "Front-desk authorization tracking [D]",
        check_authorization_running_out,
        "visit 11 of 12 authorized",
    ),
    Rule(
        "A005",
        "Annual visit limit exceeded",
        Severity.ERROR,
        "Plan benefit visit limit (CARC 119, RARC N362)",
        check_annual_limit,
        "visit 21 under a 20-visit annual limit",
    ),
    Rule(
        "A006",
        "Annual visit limit nearly reached",
        Severity.WARNING,
        "Front-desk benefit tracking [D]",
        check_annual_limit_near,
        "visit 19 of a 20-visit annual limit",
    ),
)
