"""M rules: therapy modifiers GP/GO/GN, CQ/CO, KX and telehealth (reference §3).

Checks read the modifiers on each claim line: what the EMR billed when it sent them,
otherwise what the charge builder supplied. Fixes add or remove a modifier only where
the visit's own data decides it; KX is an attestation of medical necessity and is never
added automatically.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ptrcm.domain.charges import assistant_share_exceeds
from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER, Service
from ptrcm.rules.engine import Fix, Hit, Rule, ScrubContext, Severity
from ptrcm.rules.kx import kx_status
from ptrcm.rules.support import ASSISTANT_MODIFIERS, DISCIPLINE_MODIFIERS, is_therapy_code

SRC_GP = "MCPM Pub 100-04 ch. 5 §20.1 (GP/GO/GN therapy modifiers)"
SRC_CQ = "MCPM Pub 100-04 ch. 5 §20.1; 42 CFR 410.59/410.60 (CQ/CO assistant modifiers)"
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
        if is_therapy_code(ctx.catalog, line.code) and not DISCIPLINE_MODIFIERS & {*line.modifiers}:
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


def _line_service(code: str, minutes: int | None, asst: int) -> Service:
    return Service(code=code, minutes=minutes, assistant_minutes=asst)


def assistant_modifier_missing(ctx: ScrubContext) -> Iterator[Hit]:
    """M003: CQ (PT) / CO (OT) when an assistant furnished more than the de minimis share.

    Reference §3: more than 10% of a service's minutes furnished by a PTA/OTA without the
    therapist requires the modifier (from 2020). Safe fix: add CQ/CO.
    """
    if not ctx.pack.param("assistant_modifier_required", False):
        return
    wanted = ASSISTANT_MODIFIER.get(ctx.visit.discipline)
    if wanted is None:
        return
    share = _de_minimis(ctx)
    for line in ctx.charges.lines:
        service = _line_service(line.code, line.minutes, line.assistant_minutes)
        if assistant_share_exceeds(service, share) and wanted not in line.modifiers:
            yield Hit(
                f"{line.code}: {line.assistant_minutes} of {line.minutes} minutes by an"
                f" assistant (over {share:.0%}); add {wanted}",
                line=line.line_number,
                code=line.code,
                fix=Fix("add_modifier", f"add {wanted} to {line.code}", line.code, wanted),
            )


def assistant_modifier_unsupported(ctx: ScrubContext) -> Iterator[Hit]:
    """M004: CQ/CO without assistant minutes over the de minimis share (or wrong discipline).

    Reference §3: the modifier reduces payment (85% from 2022); it belongs only on
    services an assistant furnished in part. Safe fix: remove it.
    """
    share = _de_minimis(ctx)
    wanted = ASSISTANT_MODIFIER.get(ctx.visit.discipline)
    for line in ctx.charges.lines:
        service = _line_service(line.code, line.minutes, line.assistant_minutes)
        for mod in line.modifiers:
            if mod not in ASSISTANT_MODIFIERS:
                continue
            if mod == wanted and assistant_share_exceeds(service, share):
                continue
            reason = (
                f"the {ctx.visit.discipline} visit cannot carry {mod}"
                if mod != wanted
                else f"assistant minutes ({line.assistant_minutes}) are not over {share:.0%}"
            )
            yield Hit(
                f"{line.code} carries {mod} but {reason}; remove {mod}",
                line=line.line_number,
                code=line.code,
                fix=Fix("remove_modifier", f"remove {mod} from {line.code}", line.code, mod),
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
)  # fmt: skip
