"""C rules: filing deadlines, duplicates, provider identifiers and required claim data.

Pack parameters read (name, default):

- ``timely_filing_days``: ``payer.timely_filing_days`` — C001/C002, days after the date
  of service within which the claim must be filed.
- ``filing_warn_days``: 30 — C002, warn when this many or fewer days are left.
- ``timely_filing_rule``: ``"days"`` — C001/C002, ``"one_calendar_year"`` for Medicare.
- ``timely_filing_unconfirmed``: false — C001 says the payer's limit is unconfirmed.

"Today" is ``ctx.as_of`` (the injected clock in the clinic's time zone), never the
system clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from ptrcm.domain.deadlines import Deadline, filing_deadline, medicare_filing_deadline
from ptrcm.domain.npi import npi_is_valid
from ptrcm.rules.engine import Hit, Rule, ScrubContext, Severity
from ptrcm.rules.history import earlier_visits

DEFAULT_FILING_WARN_DAYS = 30
REPEAT_MODIFIERS = frozenset({"76", "77"})  # repeat procedure: a second service, not a copy

_npi_ok = cache(npi_is_valid)  # a clinic has few providers; each NPI is checked once


def _filing_limit(ctx: ScrubContext) -> int:
    return int(ctx.pack.param("timely_filing_days", ctx.payer.timely_filing_days))


def filing_due(ctx: ScrubContext) -> Deadline:
    """The last day to file this visit's claim under the pack's filing rule.

    ``timely_filing_rule = "one_calendar_year"`` (Medicare, MCPM ch. 1 §70): one
    calendar year after the date of service, moved to the next workday; ``"days"``:
    ``timely_filing_days`` after it (other payers' contracts; unconfirmed [U] until
    sourced).
    """
    dos = ctx.visit.date_of_service
    if ctx.pack.param("timely_filing_rule", "days") == "one_calendar_year":
        return medicare_filing_deadline(dos)
    return filing_deadline(dos, max(_filing_limit(ctx), 1))


def _unverified(ctx: ScrubContext) -> str:
    if ctx.pack.param("timely_filing_rule", "days") == "one_calendar_year":
        return ""
    return (
        " (payer limit not confirmed against its contract [U])"
        if ctx.pack.param("timely_filing_unconfirmed", False)
        else ""
    )


def check_filing_limit_passed(ctx: ScrubContext) -> Iterator[Hit]:
    """C001: the timely filing limit has passed (42 CFR 424.44 for Medicare; CARC 29).

    The claim is late once ``as_of`` is after the last day to file (``filing_due``: for
    Medicare one calendar year after the date of service, moved off a weekend or federal
    holiday to the next workday, MCPM ch. 1 §70).
    """
    due = filing_due(ctx)
    if ctx.as_of > due.due:
        elapsed = (ctx.as_of - ctx.visit.date_of_service).days
        calendar = ctx.pack.param("timely_filing_rule", "days") == "one_calendar_year"
        limit = "one-calendar-year" if calendar else f"{_filing_limit(ctx)}-day"
        yield Hit(
            f"{elapsed} days since the date of service, past the payer's {limit} filing"
            f" limit: the last day to file was {due.due.isoformat()} ({due.explanation})"
            f"{_unverified(ctx)}; file only with"
            " proof of timely filing or an exception; otherwise write the charge off (not"
            " billable to the patient for in-network payers)."
        )


def check_filing_limit_near(ctx: ScrubContext) -> Iterator[Hit]:
    """C002: warn when at most ``filing_warn_days`` days are left to file [D].

    Days left run from ``as_of`` to the last day to file (``filing_due``): 30 left fires,
    31 does not; a claim already late is C001's, one dated in the future C006's.
    """
    if ctx.as_of < ctx.visit.date_of_service:
        return
    due = filing_due(ctx)
    left = (due.due - ctx.as_of).days
    warn = int(ctx.pack.param("filing_warn_days", DEFAULT_FILING_WARN_DAYS))
    if 0 <= left <= warn:
        yield Hit(
            f"{left} days left to file (deadline {due.due.isoformat()}): release this claim first."
        )


def check_future_date(ctx: ScrubContext) -> Iterator[Hit]:
    """C006: a date of service after today (``as_of``) cannot be billed.

    A claim certifies services already furnished (42 CFR 424.32: a claim is for
    services furnished); a future date is a data error or a pre-billed visit. No fix.
    """
    if ctx.visit.date_of_service > ctx.as_of:
        yield Hit(
            f"the date of service {ctx.visit.date_of_service.isoformat()} is after"
            f" {ctx.as_of.isoformat()}: nothing in the future is billed; correct the date or"
            " bill the visit after it happens."
        )


def check_duplicate_service(ctx: ScrubContext) -> Iterator[Hit]:
    """C003: the same service is already billed on another visit (CARC 18, exact duplicate).

    A duplicate is an earlier visit of the same patient (input file or database) on the
    same date, in the same discipline, with the same procedure code; it is reported on the
    later visit, line by line. The same code by PT and OT on one day is not a duplicate
    (GP and GO services), nor is a line marked as a repeat procedure (76/77).
    """
    visit = ctx.visit
    seen: dict[str, str] = {}
    for prior in earlier_visits(ctx, since=visit.date_of_service):
        if prior.discipline != visit.discipline:
            continue
        for service in prior.services:
            seen.setdefault(service.code, prior.visit_id)
    for line in ctx.charges.lines:
        other = seen.get(line.code)
        if other is None or REPEAT_MODIFIERS & set(line.modifiers):
            continue
        yield Hit(
            f"{line.code} on {visit.date_of_service.isoformat()} is already billed on visit "
            f"{other}: remove the duplicate line or merge the visits; if the service was "
            "really repeated, add modifier 76 or 77 with documentation.",
            line=line.line_number,
            code=line.code,
        )


def check_npi(ctx: ScrubContext) -> Iterator[Hit]:
    """C004: a provider NPI fails its check digit (NPI standard, Luhn with prefix 80840).

    Checks the rendering and the referring provider's NPI when given (missing NPIs are
    C005's). Payers reject these at the front door (RARC N290).
    """
    roles = (
        ("rendering", ctx.visit.rendering.npi),
        ("referring", ctx.visit.referring.npi if ctx.visit.referring else None),
    )
    for role, npi in roles:
        if npi and not _npi_ok(npi):
            yield Hit(
                f"The {role} provider's NPI {npi} is not a valid NPI (check digit): "
                "copy it again from NPPES."
            )


def check_required_data(ctx: ScrubContext) -> Iterator[Hit]:
    """C005: data every claim needs is missing (837P/CMS-1500 required fields; MA130).

    Member id (not for self-pay), payer, place of service and rendering provider NPI. One
    hit per missing item.
    """
    visit = ctx.visit
    missing: list[tuple[str, str]] = []
    if not visit.payer_id:
        missing.append(("payer", "add the patient's insurance"))
    if not visit.member_id and ctx.payer.payer_class != "self_pay":
        missing.append(("member id", "copy it from the insurance card or the 271 response"))
    if not visit.place_of_service:
        missing.append(("place of service", "set the two-digit POS (11 office, 22 hospital)"))
    if not visit.rendering.npi:
        missing.append(("rendering provider NPI", "add the therapist's NPI from NPPES"))
    for item, todo in missing:
        yield Hit(f"The claim has no {item}: {todo}.")


RULES: tuple[Rule, ...] = (
    Rule(
        "C001",
        "Timely filing limit passed",
        Severity.ERROR,
        "42 CFR 424.44; MCPM Pub 100-04 ch. 1 §70 (Medicare: one calendar year, next"
        " workday); payer filing limits (CARC 29)",
        check_filing_limit_passed,
        "a commercial claim 120 days after the date of service under a 90-day limit",
    ),
    Rule(
        "C002",
        "Timely filing limit within 30 days",
        Severity.WARNING,
        "Payer filing limits (CARC 29); work-queue practice [D]",
        check_filing_limit_near,
        "a commercial claim 70 days after the date of service under a 90-day limit",
    ),
    Rule(
        "C003",
        "Duplicate service (same patient, date, discipline and code)",
        Severity.ERROR,
        "CARC 18 exact duplicate claim/service",
        check_duplicate_service,
        "97110 billed by PT on two visits of the same patient on 2026-03-02",
    ),
    Rule(
        "C004",
        "Provider NPI fails its check digit",
        Severity.ERROR,
        "CMS NPI standard (45 CFR 162.406; Luhn check digit with prefix 80840); RARC N290",
        check_npi,
        "rendering NPI 1234567890",
    ),
    Rule(
        "C005",
        "Required claim data missing",
        Severity.ERROR,
        "837P 5010 required elements / CMS-1500 items 1a, 24B, 24J (MA130)",
        check_required_data,
        "a commercial visit without a member id",
    ),
    Rule(
        "C006",
        "Date of service in the future",
        Severity.ERROR,
        "42 CFR 424.32 (a claim is for services furnished); the --as-of day",
        check_future_date,
        "date of service 2026-03-25 scrubbed as of 2026-03-20",
    ),
)
