"""P rules: plan of care, physician/NPP certification and progress reports (MBPM ch. 15 §220).

Pack parameters read (name, default):

- ``certification_required``: true for payer class ``medicare``, else false — P002/P003
  apply (Medicare requires a certified plan of care; other payers vary).
- ``initial_certification_days``: 30 — P002, days after the start of care within which
  the initial certification must be signed.
- ``recertification_days``: 90 — P003, calendar days a certification lasts at most.
- ``progress_report_interval``: 10 for payer class ``medicare``, else 0 (off) — P004,
  treatment days within which a progress report is due.

The visit record's ``plan_of_care`` {start, certified_on, through} is the plan in force
(a recertification arrives as a new plan with its own start). Day arithmetic is in
calendar days; "day 1" is the plan's start date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ptrcm.rules.engine import Hit, Rule, ScrubContext, Severity

DEFAULT_INITIAL_CERTIFICATION_DAYS = 30
DEFAULT_RECERTIFICATION_DAYS = 90
DEFAULT_PROGRESS_REPORT_INTERVAL = 10


def _certification_required(ctx: ScrubContext) -> bool:
    return bool(ctx.pack.param("certification_required", ctx.payer.payer_class == "medicare"))


def check_plan_covers_date(ctx: ScrubContext) -> Iterator[Hit]:
    """P001: a plan of care must cover the date of service (MBPM ch. 15 §220.1).

    Fires when there is no plan, or the date of service is before its start or after its
    ``through`` date (both inclusive). The 90-day certification limit is P003's.
    """
    plan = ctx.visit.plan_of_care
    dos = ctx.visit.date_of_service
    if plan is None:
        why = "No plan of care is on file"
    elif dos < plan.start:
        why = f"The plan of care starts {plan.start.isoformat()}, after the date of service"
    elif plan.through is not None and dos > plan.through:
        why = f"The plan of care ran through {plan.through.isoformat()}"
    else:
        return
    yield Hit(
        f"{why}: establish a plan of care (or a recertified plan) covering {dos.isoformat()} "
        "and have the physician/NPP sign it."
    )


def check_initial_certification(ctx: ScrubContext) -> Iterator[Hit]:
    """P002: the plan must be certified within ``initial_certification_days`` of its start.

    MBPM ch. 15 §220.1.3: certification is timely when signed within 30 days of the
    initial therapy treatment [S]. Signed on day start+30 is timely; start+31 is late.
    With no signature yet, the visit gets a warning while the 30 days run, then an error.
    """
    plan = ctx.visit.plan_of_care
    dos = ctx.visit.date_of_service
    if plan is None or dos < plan.start or not _certification_required(ctx):
        return
    days = int(ctx.pack.param("initial_certification_days", DEFAULT_INITIAL_CERTIFICATION_DAYS))
    due = plan.start + timedelta(days=days)
    if plan.certified_on is None:
        late = dos > due
        yield Hit(
            f"The plan of care is not certified: have the physician/NPP sign it "
            f"{'now; it was due' if late else 'by'} {due.isoformat()}"
            f"{' and document the reason for the delay' if late else ''}.",
            severity=Severity.ERROR if late else Severity.WARNING,
        )
    elif plan.certified_on > due:
        delay = (plan.certified_on - plan.start).days
        yield Hit(
            f"The plan was certified {delay} days after the start of care (limit {days}): "
            "keep the physician/NPP's signed and dated reason for the delayed certification."
        )


def check_recertification(ctx: ScrubContext) -> Iterator[Hit]:
    """P003: recertification is overdue: the date is past the certification's 90 days.

    MBPM ch. 15 §220.1.2: a certification lasts the plan's duration or 90 calendar days,
    whichever is less, and is renewed at least every 90 days [S]. Day 1 is the plan's
    start, so day 90 (start + 89) is the last day covered; day 91 fires. A date past the
    plan's ``through`` date is P001's and not repeated here.
    """
    plan = ctx.visit.plan_of_care
    dos = ctx.visit.date_of_service
    if plan is None or dos < plan.start or not _certification_required(ctx):
        return
    if plan.through is not None and dos > plan.through:
        return
    limit = int(ctx.pack.param("recertification_days", DEFAULT_RECERTIFICATION_DAYS))
    day = (dos - plan.start).days + 1
    if day > limit:
        last = plan.start + timedelta(days=limit - 1)
        yield Hit(
            f"The certification covered {limit} days, through {last.isoformat()}; this is day "
            f"{day}: obtain a recertification signed by the physician/NPP."
        )


def check_progress_report(ctx: ScrubContext) -> Iterator[Hit]:
    """P004: a progress report is due at least once every 10 treatment days.

    MBPM ch. 15 §220.3: the report is due at the 10th treatment day at the latest; day 1
    is the first day of the episode and evaluation days count, each treatment day being
    one visit number. With the last report on visit ``L`` (0: none yet in the episode)
    and this visit ``n``, the days ``L+1 .. L+10`` must hold a report: on visit
    ``L + 10`` without one it is due today (a warning: write it at this visit); after it
    (``n > L + 10``) it is overdue (an error). A report written on this visit has
    ``L == n``. No visit number: nothing to check.
    """
    default = DEFAULT_PROGRESS_REPORT_INTERVAL if ctx.payer.payer_class == "medicare" else 0
    interval = int(ctx.pack.param("progress_report_interval", default))
    n = ctx.visit.episode_visit_number
    last = ctx.visit.last_progress_report_visit or 0
    if interval <= 0 or n is None or last > n:
        return
    since = n - last
    if since < interval:
        return
    when = "on day " + str(last) if last else "never written"
    if since == interval:
        yield Hit(
            f"Treatment day {n} of the episode is the {interval}th since the last progress"
            f" report ({when}): the therapist must write the progress report at this visit.",
            severity=Severity.WARNING,
        )
        return
    yield Hit(
        f"Treatment day {n} of the episode; the last progress report was {when} ({since}"
        f" days without one, more than {interval}): the report is overdue; the therapist"
        " must write it before these visits are billed."
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "P001",
        "No plan of care covering the date of service",
        Severity.ERROR,
        "MBPM Pub 100-02 ch. 15 §220.1 (plan of care)",
        check_plan_covers_date,
        "plan of care through 2026-05-10, date of service 2026-05-12",
    ),
    Rule(
        "P002",
        "Initial certification not signed within 30 days of the start of care",
        Severity.ERROR,
        "MBPM Pub 100-02 ch. 15 §220.1.3 (timely certification)",
        check_initial_certification,
        "plan started 2026-02-10, certified 2026-03-20",
    ),
    Rule(
        "P003",
        "Recertification overdue (certification older than 90 days)",
        Severity.ERROR,
        "MBPM Pub 100-02 ch. 15 §220.1.2 (recertification at least every 90 days)",
        check_recertification,
        "plan started 2026-01-05 with no through date, date of service 2026-04-10 (day 96)",
    ),
    Rule(
        "P004",
        "Progress report due (10th treatment day) or overdue",
        Severity.ERROR,
        "MBPM Pub 100-02 ch. 15 §220.3 (progress report every 10 treatment days)",
        check_progress_report,
        "episode visit 11 with the last progress report on visit 1",
    ),
)
