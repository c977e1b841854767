"""U rules: units and time (MCPM Pub 100-04 ch. 5 §20.2; MBPM Pub 100-02 ch. 15 §220.3).

The charge builder has already computed, for every line, the units the payer's method
gives (``expected_units``) beside what the EMR billed (``units``). These checks compare
the two and the documented minutes; fixes only ever move the claim towards what the
documentation supports.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.units import MIN_MINUTES_FOR_UNIT, UnitMethod
from ptrcm.rules.engine import Fix, Hit, Rule, ScrubContext, Severity
from ptrcm.rules.support import line_number

MCPM_20_2 = "MCPM Pub 100-04 ch. 5 §20.2 (time-based units)"
MBPM_220_3 = "MBPM Pub 100-02 ch. 15 §220.3 (treatment note: timed and total minutes)"
_METHOD_WORDS = {
    UnitMethod.CMS: "the Medicare total-time method",
    UnitMethod.AMA: "the per-code method",
}


def timed_without_minutes(ctx: ScrubContext) -> Iterator[Hit]:
    """U001: a timed code needs its documented minutes; without them no unit is supported.

    MCPM ch. 5 §20.2 counts units from minutes; MBPM ch. 15 §220.3 requires the note to
    record them. Needs the therapist's documentation, so there is no automatic fix.
    """
    for service in ctx.visit.services:
        info = ctx.catalog.get(service.code)
        if info is not None and info.timed and service.minutes is None:
            yield Hit(
                f"{service.code} is a timed code but its minutes are not documented; add the"
                " treatment minutes from the note before billing units",
                line=line_number(ctx, service.code),
                code=service.code,
            )


def _lone_short_timed(ctx: ScrubContext) -> str | None:
    """The code of a single timed service under 8 minutes alone on the day, if any."""
    timed = [s for s in ctx.visit.services if ctx.catalog.is_timed(s.code)]
    if len({s.code for s in timed}) != 1:
        return None
    minutes = sum(s.minutes or 0 for s in timed)
    if any(s.minutes is None for s in timed) or minutes >= MIN_MINUTES_FOR_UNIT:
        return None
    return timed[0].code


def units_differ(ctx: ScrubContext) -> Iterator[Hit]:
    """U002: billed units of a timed code differ from what the payer's method gives.

    Medicare counts pooled minutes (MCPM ch. 5 §20.2, the "8-minute rule"); per-code
    payers count each code alone. Safe fix: bill the computed units (or, when the minutes
    earn none, leave the unit off the claim while keeping the documented minutes).
    """
    method = _METHOD_WORDS[ctx.charges.unit_result.method]
    lone = _lone_short_timed(ctx)
    first: dict[str, ClaimLine] = {}
    billed: dict[str, int] = {}
    expected: dict[str, int] = {}
    for line in ctx.charges.lines:  # a code billed on two lines (CQ/CO split) counts once
        first.setdefault(line.code, line)
        billed[line.code] = billed.get(line.code, 0) + line.units
        expected[line.code] = expected.get(line.code, 0) + line.expected_units
    for code, line in first.items():
        if code == lone or line.minutes is None or not ctx.catalog.is_timed(code):
            continue
        units, exp = billed[code], expected[code]
        if units == exp:
            continue
        value = exp if exp else None
        action = f"bill {exp} unit{'s' if exp != 1 else ''}" if exp else "do not bill a unit"
        yield Hit(
            f"{code} billed {units} unit(s) but {line.minutes} documented minutes"
            f" give {exp} under {method}; {action}",
            line=line.line_number,
            code=code,
            fix=Fix("set_units", f"set {code} units to {exp}", code, value),
        )


def total_minutes_inconsistent(ctx: ScrubContext) -> Iterator[Hit]:
    """U003: documented total timed minutes must equal the sum of the timed codes' minutes.

    MBPM ch. 15 §220.3: the note records total timed code treatment minutes, consistent
    with the per-code minutes and the units billed. Safe fix only when every timed code
    has its minutes (the sum is then known).
    """
    total = ctx.visit.total_timed_minutes
    if total is None:
        return
    timed = [s for s in ctx.visit.services if ctx.catalog.is_timed(s.code)]
    documented = sum(s.minutes or 0 for s in timed)
    complete = all(s.minutes is not None for s in timed)
    if total == documented:
        return
    fix = None
    if complete:
        fix = Fix("set_total_timed_minutes", f"set total timed minutes to {documented}",
                  value=documented)  # fmt: skip
    yield Hit(
        f"total timed minutes is {total} but the timed codes' minutes add up to {documented};"
        " correct the note so the totals agree",
        fix=fix,
    )


def untimed_multiple_units(ctx: ScrubContext) -> Iterator[Hit]:
    """U004: a service-based (untimed) code is one unit per date of service.

    Reference §1.1 (MCPM ch. 5 §20.2: untimed codes are billed once per day whatever
    their minutes). Safe fix: one unit.
    """
    for line in ctx.charges.lines:
        info = ctx.catalog.get(line.code)
        if info is not None and not info.timed and line.units > 1:
            yield Hit(
                f"{line.code} is untimed (one unit per date of service) but billed"
                f" {line.units} units; bill 1 unit",
                line=line.line_number,
                code=line.code,
                fix=Fix("set_units", f"set {line.code} units to 1", line.code, 1),
            )


def lone_short_timed_billed(ctx: ScrubContext) -> Iterator[Hit]:
    """U005: a single timed service under 8 minutes alone on the day is not billable.

    MCPM ch. 5 §20.2: below 8 timed minutes on the date of service no timed unit is
    billed. Safe fix: leave the unit off the claim (the minutes stay in the note).
    """
    code = _lone_short_timed(ctx)
    if code is None:
        return
    for line in ctx.charges.lines:
        if line.code == code and line.units > 0:
            minutes = sum(s.minutes or 0 for s in ctx.visit.services if s.code == code)
            yield Hit(
                f"{code} is the only timed service and has {minutes} minutes (under 8); it"
                " is not billable on its own: remove the unit",
                line=line.line_number,
                code=code,
                fix=Fix("set_units", f"do not bill {code} (under 8 minutes alone)", code, None),
            )


def unknown_code(ctx: ScrubContext) -> Iterator[Hit]:
    """U006: a procedure code outside the therapy code catalog (reference §2).

    Units, modifiers and edits cannot be checked for it; confirm the code is right.
    """
    for service in ctx.visit.services:
        if service.code not in ctx.catalog:
            yield Hit(
                f"{service.code} is not in the therapy code catalog; check the code (units"
                " and edits for it are not verified)",
                line=line_number(ctx, service.code),
                code=service.code,
            )


def treatment_less_than_timed(ctx: ScrubContext) -> Iterator[Hit]:
    """U007: total treatment time cannot be less than the total timed minutes.

    MBPM ch. 15 §220.3: total treatment time includes the timed minutes plus untimed
    services; a smaller total means one of the two figures is wrong.
    """
    timed = ctx.visit.total_timed_minutes
    total = ctx.visit.total_treatment_minutes
    if timed is not None and total is not None and total < timed:
        yield Hit(
            f"total treatment minutes ({total}) is less than total timed minutes ({timed});"
            " correct the note"
        )


def primary_code_more_than_once(ctx: ScrubContext) -> Iterator[Hit]:
    """U008: a "first 15 minutes" code billed with more than one unit on a date.

    CPT: 97129 is the initial 15 minutes of cognitive function intervention, reported once
    per day; each further 15 minutes is its add-on 97130 (the catalog's ``add_on_of``;
    CY 2020 PFS final rule, 84 FR 62702, valued both). The unit engine splits the minutes
    that way. No automatic fix: the add-on line must be added.
    """
    for line in ctx.charges.lines:
        add_on = ctx.catalog.add_on_for(line.code)
        if add_on is None or line.units <= 1:
            continue
        yield Hit(
            f"{line.code} is the first 15 minutes and is billed once a day, but it has"
            f" {line.units} units: bill 1 unit of {line.code} and {line.units - 1} of {add_on}",
            line=line.line_number,
            code=line.code,
        )


RULES: tuple[Rule, ...] = (
    Rule("U001", "Timed code without documented minutes", Severity.ERROR, MCPM_20_2,
         timed_without_minutes, "97110 billed with no minutes in the note"),
    Rule("U002", "Billed units differ from the payer's unit method", Severity.ERROR, MCPM_20_2,
         units_differ, "Medicare: 97110 for 33 minutes billed 3 units (the total-time method"
         " gives 2)"),
    Rule("U003", "Total timed minutes inconsistent with per-code minutes", Severity.WARNING,
         MBPM_220_3, total_minutes_inconsistent,
         "97110 23 + 97140 10 minutes but total timed minutes 40"),
    Rule("U004", "Untimed code billed with more than one unit", Severity.ERROR, MCPM_20_2,
         untimed_multiple_units, "97010 billed 2 units"),
    Rule("U005", "Lone timed service under 8 minutes billed", Severity.ERROR, MCPM_20_2,
         lone_short_timed_billed, "97110 for 6 minutes, the only timed service, billed 1 unit"),
    Rule("U006", "Procedure code not in the therapy code catalog", Severity.WARNING,
         "therapy-billing-rules §2 (code catalog)", unknown_code, "97999 billed"),
    Rule("U007", "Total treatment time less than total timed minutes", Severity.WARNING,
         MBPM_220_3, treatment_less_than_timed,
         "total timed minutes 45, total treatment minutes 40"),
    Rule("U008", "First-15-minutes code billed more than once a day", Severity.ERROR,
         "CPT 97129/97130 descriptors (initial 15 minutes, each additional 15 minutes)",
         primary_code_more_than_once, "97129 billed 3 units for 40 minutes"),
)  # fmt: skip
