"""M rules: therapy modifiers GP/GO/GN, CQ/CO, KX and telehealth (reference §3).

Checks read the modifiers on each claim line: what the EMR billed when it sent them,
otherwise what the charge builder supplied. Fixes add or remove a modifier only where
the visit's own data decides it; KX is an attestation of medical necessity and is never
added automatically.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ptrcm.domain.charges import ChargePolicy, expected_assistant_units, merge_services
from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER, Service
from ptrcm.rules.engine import Fix, Hit, Rule, ScrubContext, Severity
from ptrcm.rules.kx import kx_status
from ptrcm.rules.support import (
    ASSISTANT_MODIFIERS,
    DISCIPLINE_MODIFIERS,
    is_therapy_code,
    of_discipline,
)

SRC_GP = "MCPM Pub 100-04 ch. 5 §20.1 (GP/GO/GN therapy modifiers)"
SRC_CQ = (
    "MCPM Pub 100-04 ch. 5 §20.1; CMS Billing Examples Using CQ/CO Modifiers; CY 2022 PFS"
    " final rule 86 FR 64996 (de minimis per billed unit)"
)
SRC_KX = "MBPM Pub 100-02 ch. 15 §10.3; MCPM ch. 5 §10.3 (KX threshold)"
SRC_TELE = "MCPM Pub 100-04 ch. 12 §190; payer telehealth policy (POS 02/10, modifier 95/GT)"


def _de_minimis(ctx: ScrubContext) -> Decimal:
    return Decimal(ctx.pack.param("assistant_de_minimis", Decimal("0.10")))


def discipline_modifier_missing(ctx: ScrubContext) -> Iterator[Hit]:
    """M001: a therapy code needs GP, GO or GN where the payer requires it.

    MCPM ch. 5 §20.1: always-therapy services carry the modifier of the plan of care
    they were furnished under. Safe fix: add the visit's discipline modifier.
    """
    if not ctx.pack.param("discipline_modifier_required", True):
        return
    wanted = DISCIPLINE_MODIFIER.get(ctx.visit.discipline)
    if wanted is None:
        return
    for line in ctx.charges.lines:
        if not of_discipline(ctx.catalog, line.code, ctx.visit.discipline):
            continue  # a code of another discipline is M011's
        if not DISCIPLINE_MODIFIERS & {*line.modifiers}:
            yield Hit(
                f"{line.code} has no therapy modifier; add {wanted} ({ctx.visit.discipline}"
                " plan of care)",
                line=line.line_number,
                code=line.code,
                fix=Fix("add_modifier", f"add {wanted} to {line.code}", line.code, wanted),
            )


def discipline_modifier_mismatch(ctx: ScrubContext) -> Iterator[Hit]:
    """M002: the therapy modifier must match the visit's discipline (GP PT, GO OT, GN SLP).

    MCPM ch. 5 §20.1. Safe fix: replace the wrong modifier with the visit's own.
    """
    wanted = DISCIPLINE_MODIFIER.get(ctx.visit.discipline)
    if wanted is None:
        return
    for line in ctx.charges.lines:
        if not of_discipline(ctx.catalog, line.code, ctx.visit.discipline):
            continue  # a code of another discipline is M011's
        for mod in line.modifiers:
            if mod in DISCIPLINE_MODIFIERS and mod != wanted:
                yield Hit(
                    f"{line.code} carries {mod} but the visit is {ctx.visit.discipline};"
                    f" use {wanted}",
                    line=line.line_number,
                    code=line.code,
                    fix=Fix(
                        "replace_modifier",
                        f"replace {mod} with {wanted} on {line.code}",
                        line.code,
                        (mod, wanted),
                    ),
                )


def _policy(ctx: ScrubContext) -> ChargePolicy:
    return ChargePolicy(
        ctx.charges.unit_result.method,
        assistant_modifier=True,
        assistant_de_minimis=_de_minimis(ctx),
    )


def assistant_unit_counts(ctx: ScrubContext, wanted: str) -> Iterator[tuple[str, int, int, int]]:
    """(code, units the assistant rule gives CQ/CO, units billed with it, first line).

    The expected count is made per billed unit (``domain.assistants``: CMS's CQ/CO
    billing examples, CY 2022 PFS final rule) from the code's documented minutes and its
    total expected units.
    """
    services: dict[str, Service] = {}
    for s in ctx.visit.services:
        prev = services.get(s.code)
        services[s.code] = s if prev is None else merge_services(prev, s)
    units = ctx.charges.unit_result.units
    first: dict[str, int] = {}
    billed: dict[str, int] = {}
    for line in ctx.charges.lines:
        first.setdefault(line.code, line.line_number)
        if wanted in line.modifiers:
            billed[line.code] = billed.get(line.code, 0) + line.units
    policy = _policy(ctx)
    for code, number in first.items():
        service = services.get(code)
        expected = 0
        if service is not None:
            expected = expected_assistant_units(
                service,
                units.get(code, 0),
                policy,
                ctx.catalog,
                ctx.visit.discipline,
                ctx.visit.date_of_service,
            )
        yield code, expected, billed.get(code, 0), number


def _code_units(ctx: ScrubContext, code: str) -> int:
    return sum(line.units for line in ctx.charges.lines if line.code == code)


def assistant_modifier_missing(ctx: ScrubContext) -> Iterator[Hit]:
    """M003: CQ (PT) / CO (OT) on each unit an assistant furnished in whole or in part.

    The de minimis standard is applied per billed unit (CMS "Billing Examples Using CQ/CO
    Modifiers"; CY 2022 PFS final rule, 86 FR 64996): a full 15 minutes by the PTA/OTA
    alone is a CQ/CO unit, and the final unit follows the 8-minute threshold and the 10%
    standard. A code partly furnished by the assistant is billed as two lines, with and
    without the modifier. Safe fix only when every unit of the code needs the modifier.
    """
    if not ctx.pack.param("assistant_modifier_required", False):
        return
    wanted = ASSISTANT_MODIFIER.get(ctx.visit.discipline)
    if wanted is None:
        return
    for code, expected, billed, number in assistant_unit_counts(ctx, wanted):
        if billed >= expected:
            continue
        total = _code_units(ctx, code)
        whole = expected >= total and sum(1 for ln in ctx.charges.lines if ln.code == code) == 1
        how = (
            f"add {wanted}"
            if whole
            else f"bill {expected} unit(s) with {wanted} and {max(total - expected, 0)}"
            " without it, on separate lines"
        )
        yield Hit(
            f"{code}: {expected} of its units were furnished in whole or in part by the"
            f" assistant (per-unit de minimis, CMS CQ/CO billing examples) but {billed} carry"
            f" {wanted}; {how}",
            line=number,
            code=code,
            fix=Fix("add_modifier", f"add {wanted} to {code}", code, wanted) if whole else None,
        )


def assistant_modifier_unsupported(ctx: ScrubContext) -> Iterator[Hit]:
    """M004: CQ/CO on more units than the assistant furnished (or on the wrong discipline).

    Reference §3 and CMS's CQ/CO billing examples: the modifier reduces payment (85% from
    2022) and belongs only on the units an assistant furnished in whole or in part,
    counted per unit. Safe fix: remove it when no unit of the code needs it.
    """
    wanted = ASSISTANT_MODIFIER.get(ctx.visit.discipline)
    for line in ctx.charges.lines:
        for mod in line.modifiers:
            if mod in ASSISTANT_MODIFIERS and mod != wanted:
                yield Hit(
                    f"{line.code} carries {mod} but the {ctx.visit.discipline} visit cannot"
                    f" carry {mod}; remove {mod}",
                    line=line.line_number,
                    code=line.code,
                    fix=Fix("remove_modifier", f"remove {mod} from {line.code}", line.code, mod),
                )
    if wanted is None:
        return
    for code, expected, billed, number in assistant_unit_counts(ctx, wanted):
        if billed <= expected:
            continue
        fix = None
        if expected == 0:
            fix = Fix("remove_modifier", f"remove {wanted} from {code}", code, wanted)
        share = f"{_de_minimis(ctx):.0%}"
        reason = (
            f"no unit was furnished by the assistant over the de minimis share ({share})"
            if expected == 0
            else f"only {expected} unit(s) were furnished in whole or in part by the assistant"
        )
        rest = max(_code_units(ctx, code) - expected, 0)
        action = (
            f"remove {wanted}"
            if expected == 0
            else f"bill {expected} unit(s) with {wanted} and {rest} without it, on separate lines"
        )
        yield Hit(
            f"{code} carries {wanted} on {billed} unit(s) but {reason}; {action}",
            line=number,
            code=code,
            fix=fix,
        )


def kx_missing(ctx: ScrubContext) -> Iterator[Hit]:
    """M005: KX on therapy lines once the year-to-date allowed amount passes the threshold.

    MBPM ch. 15 §10.3: above the threshold, lines without KX are denied. KX attests that
    the services are medically necessary: a person must confirm, so no automatic fix.
    """
    status = kx_status(ctx)
    if status is None or not status.over:
        return
    flag = " (threshold figure unverified [U])" if status.confidence == "U" else ""
    for line in ctx.charges.lines:
        if is_therapy_code(ctx.catalog, line.code) and "KX" not in line.modifiers:
            yield Hit(
                f"{line.code}: {status.group} allowed this year reaches {status.ytd_with_visit}"
                f" with this visit, over the {ctx.visit.date_of_service.year} threshold"
                f" {status.threshold}{flag}; if the documentation supports medical necessity"
                " add KX, otherwise the line will be denied",
                line=line.line_number,
                code=line.code,
            )


def kx_far_below(ctx: ScrubContext) -> Iterator[Hit]:
    """M006: KX while the year-to-date allowed amount is far below the threshold.

    Reference §3: KX with no sign of reaching the threshold is abusive. "Far" is the pack
    parameter ``kx_far_below_share`` of the threshold. A person decides: no fix.
    """
    status = kx_status(ctx)
    if status is None:
        return
    share = Decimal(ctx.pack.param("kx_far_below_share", Decimal("0.50")))
    if status.ytd_with_visit >= share * status.threshold:
        return
    for line in ctx.charges.lines:
        if "KX" in line.modifiers:
            yield Hit(
                f"{line.code} carries KX but {status.group} allowed this year is only"
                f" {status.ytd_with_visit} of the {status.threshold} threshold; confirm the"
                " year's earlier therapy or remove KX",
                line=line.line_number,
                code=line.code,
            )


def telehealth_modifier_missing(ctx: ScrubContext) -> Iterator[Hit]:
    """M007: telehealth place of service (02/10) without the payer's telehealth modifier.

    Reference §3: 95 (Medicare institutional, 2024+) or GT (some Medicaid and commercial
    payers). Safe fix: add the pack's first listed modifier.
    """
    if not ctx.pack.param("telehealth_modifier_required", False):
        return
    if ctx.visit.place_of_service not in ctx.pack.param("telehealth_pos", ("02", "10")):
        return
    accepted = tuple(ctx.pack.param("telehealth_modifiers", ("95",)))
    if not accepted:
        return
    for line in ctx.charges.lines:
        if not set(accepted) & set(line.modifiers):
            yield Hit(
                f"{line.code} is a telehealth service (POS {ctx.visit.place_of_service})"
                f" without {' or '.join(accepted)}; add {accepted[0]}",
                line=line.line_number,
                code=line.code,
                fix=Fix("add_modifier", f"add {accepted[0]} to {line.code}", line.code,
                        accepted[0]),
            )  # fmt: skip


_DISCIPLINE_WORDS = {"PT": "physical therapy", "OT": "occupational therapy",
                     "SLP": "speech-language pathology"}  # fmt: skip
_EVALUATIONS = {
    "PT": "97161-97163 (re-evaluation 97164)",
    "OT": "97165-97167 (re-evaluation 97168)",
    "SLP": "92521-92524 or 92610",
}


def code_of_another_discipline(ctx: ScrubContext) -> Iterator[Hit]:
    """M011: a therapy code billed on a visit of a discipline that does not furnish it.

    The catalog lists each code's disciplines: 97161-97164 are PT evaluations, 97165-97168
    OT, 92521-92524 and 92507/92526 speech-language pathology, which Medicare pays only
    under an SLP plan of care with GN (MCPM Pub 100-04 ch. 5 §20.1: the modifier names
    the plan of care the service was furnished under). The charge builder gives such a
    line no discipline modifier. No automatic fix: bill the code on the right
    discipline's visit, or bill that discipline's own code.
    """
    discipline = ctx.visit.discipline
    for line in ctx.charges.lines:
        info = ctx.catalog.get(line.code)
        if info is None or not info.disciplines or discipline in info.disciplines:
            continue
        owners = sorted(info.disciplines)
        words = " or ".join(_DISCIPLINE_WORDS[d] for d in owners)
        mods = "/".join(DISCIPLINE_MODIFIER[d] for d in owners)
        todo = f"bill it on a {'/'.join(owners)} visit with {mods}"
        if info.is_evaluation and discipline in _EVALUATIONS:
            todo += f"; a {discipline} evaluation is {_EVALUATIONS[discipline]}"
        yield Hit(
            f"{line.code} is a {words} code, not {discipline}: {todo}",
            line=line.line_number,
            code=line.code,
        )


RULES: tuple[Rule, ...] = (
    Rule("M001", "Therapy modifier GP/GO/GN missing", Severity.ERROR, SRC_GP,
         discipline_modifier_missing, "97110 on a Medicare PT visit billed without GP"),
    Rule("M002", "Therapy modifier does not match the discipline", Severity.ERROR, SRC_GP,
         discipline_modifier_mismatch, "97110 billed with GO on a PT visit"),
    Rule("M003", "CQ/CO missing on assistant-furnished service", Severity.ERROR, SRC_CQ,
         assistant_modifier_missing, "97110 38 minutes, 20 by a PTA alone, billed without CQ"),
    Rule("M004", "CQ/CO without assistant minutes", Severity.ERROR, SRC_CQ,
         assistant_modifier_unsupported, "97110 billed GP CQ with no assistant minutes"),
    Rule("M005", "KX missing above the therapy threshold", Severity.ERROR, SRC_KX,
         kx_missing, "Medicare PT visit bringing the year's allowed amount past the"
         " threshold, billed without KX"),
    Rule("M006", "KX far below the therapy threshold", Severity.WARNING, SRC_KX,
         kx_far_below, "KX on the first Medicare PT visit of the year"),
    Rule("M007", "Telehealth service without the payer's telehealth modifier",
         Severity.ERROR, SRC_TELE, telehealth_modifier_missing,
         "Medicaid PT visit at POS 02 billed without GT or 95"),
    Rule("M011", "Code of another discipline", Severity.ERROR,
         "MCPM Pub 100-04 ch. 5 §20.1 (discipline of the plan of care); code catalog",
         code_of_another_discipline, "92507 (speech treatment) billed on a PT visit"),
)  # fmt: skip
