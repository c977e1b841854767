"""E rules: eligibility verification and coverage on the date of service.

Pack parameters read (name, default):

- ``eligibility_max_age_days``: 30 — E001, a verification older than this many days before
  the date of service is stale.

The visit record carries the front desk's last check (``eligibility_verified_on``) and the
payer's answer (``coverage`` {active, start, end}, e.g. from a 271). "Today" is never
read: both rules look only at the date of service.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptrcm.rules.engine import Hit, Rule, ScrubContext, Severity
from ptrcm.rules.history import plan_year_start

DEFAULT_ELIGIBILITY_MAX_AGE_DAYS = 30


def check_verification(ctx: ScrubContext) -> Iterator[Hit]:
    """E001: eligibility should be verified for the date of service.

    Fires when no verification is on file, when the last one is more than
    ``eligibility_max_age_days`` days before the date of service (exactly that many days is
    still current), or when it predates the plan year that contains the date of service
    (benefits renew then; ``benefits.plan_year_start``, else the calendar year). A check
    made after the date of service counts: payers answer 270 inquiries for past dates.
    Front-desk practice and CARC 27/109 denials [D].
    """
    visit = ctx.visit
    verified = visit.eligibility_verified_on
    dos = visit.date_of_service
    if verified is None:
        yield Hit(
            "No eligibility verification on file: verify coverage and benefits with the payer "
            f"(270/271 or portal) for {dos.isoformat()} and record the date."
        )
        return
    max_age = int(ctx.pack.param("eligibility_max_age_days", DEFAULT_ELIGIBILITY_MAX_AGE_DAYS))
    age = (dos - verified).days
    anchor = visit.benefits.plan_year_start if visit.benefits else None
    year_start = plan_year_start(dos, anchor)
    if age > max_age:
        why = f"was verified {age} days before the date of service (limit {max_age})"
    elif verified < year_start:
        why = f"was verified before the plan year that began {year_start.isoformat()}"
    else:
        return
    yield Hit(f"Eligibility {why}: verify coverage and benefits again for {dos.isoformat()}.")


def check_coverage_active(ctx: ScrubContext) -> Iterator[Hit]:
    """E002: coverage must be active on the date of service (CARC 27, 109; 271 EB*6).

    Fires when the payer reported the coverage inactive, or the date of service falls
    before its start or after its end (both dates inclusive). No coverage record: no hit.
    """
    coverage = ctx.visit.coverage
    if coverage is None:
        return
    dos = ctx.visit.date_of_service
    if not coverage.active:
        why = "The payer reports the coverage as inactive"
    elif coverage.start is not None and dos < coverage.start:
        why = f"Coverage starts {coverage.start.isoformat()}, after the date of service"
    elif coverage.end is not None and dos > coverage.end:
        why = f"Coverage ended {coverage.end.isoformat()}, before the date of service"
    else:
        return
    yield Hit(
        f"{why}: confirm the patient's insurance, bill the payer that covered "
        f"{dos.isoformat()}, or bill the patient."
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "E001",
        "No current eligibility verification for the date of service",
        Severity.WARNING,
        "Front-desk eligibility practice (270/271); avoids CARC 27/109 denials [D]",
        check_verification,
        "last verified 45 days before the date of service",
    ),
    Rule(
        "E002",
        "Coverage not active on the date of service",
        Severity.ERROR,
        "271 eligibility response; CARC 27 (after coverage terminated), 109 (wrong payer)",
        check_coverage_active,
        "coverage ended 2026-02-28 and the date of service is 2026-03-02",
    ),
)
