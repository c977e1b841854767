"""N rules: NCCI procedure-to-procedure pairs, MUEs, payability, evaluations per day.

The pairs, MUE values and non-payable codes are pack data (reference §2 and §4; rows
the reference marks [U] say so in their message). Pairs and MUEs are checked within
one visit (one date of service, one rendering provider); evaluations per day also count
the patient's earlier visits in the input on the same date and discipline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ptrcm.rules.engine import Fix, Hit, Pack, Rule, ScrubContext, Severity
from ptrcm.rules.support import index_rows, unverified_note

SRC_NCCI = "NCCI Policy Manual ch. XI; CMS quarterly PTP edits (therapy subset)"
SRC_MUE = "NCCI Policy Manual ch. XI; CMS practitioner MUE file with MAI (pack rows give quarter)"
SRC_PAY = "MCPM Pub 100-04 ch. 5 §20; Medicare Physician Fee Schedule status indicators"
SRC_EVAL = "NCCI Policy Manual ch. XI (one evaluation or re-evaluation per date of service)"
DEFAULT_DISTINCT = ("59", "XE", "XS", "XP", "XU")
EVAL_LIMITED = ("PT", "OT")


def _pairs(pack: Pack) -> dict[str, list[Mapping[str, Any]]]:
    """NCCI rows by column-2 code."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for row in pack.param("ncci_pairs", ()):
        out.setdefault(row["column2"], []).append(row)
    return out


def _billed_pairs(ctx: ScrubContext, indicator: int) -> Iterator[tuple[Mapping[str, Any], int]]:
    """(pair row, line number of the column-2 code) for pairs billed together."""
    by_col2 = ctx.pack.derived("ncci_by_column2", _pairs)
    if not by_col2:
        return
    codes = {line.code for line in ctx.charges.lines}
    for line in ctx.charges.lines:
        for row in by_col2.get(line.code, ()):
            if row["indicator"] == indicator and row["column1"] in codes:
                yield row, line.line_number


def _edit_of(row: Mapping[str, Any]) -> str:
    """Where a pair comes from: its source and the PTP quarter, when the pack gives them."""
    quarter = row.get("quarter")
    if not quarter or quarter == "unverified":
        return ""
    return f" [PTP edit {quarter}]"


def ncci_pair_without_distinct(ctx: ScrubContext) -> Iterator[Hit]:
    """N001: NCCI pair (modifier indicator 1) without 59/XE/XS/XP/XU on the column-2 code.

    NCCI Policy Manual ch. XI: the column-2 code is denied unless a distinct-service
    modifier shows separate time blocks. Only the documentation can say so: no fix.
    """
    distinct = set(ctx.pack.param("distinct_modifiers", DEFAULT_DISTINCT))
    mods = {line.line_number: set(line.modifiers) for line in ctx.charges.lines}
    for row, number in _billed_pairs(ctx, 1):
        if distinct & mods[number]:
            continue
        col1, col2 = row["column1"], row["column2"]
        yield Hit(
            f"{col2} is bundled into {col1} (NCCI pair, modifier indicator 1); if the"
            f" documentation shows distinct time blocks add 59 or an X modifier to {col2},"
            f" otherwise do not bill {col2}{_edit_of(row)}{unverified_note(row)}",
            line=number,
            code=col2,
        )


def ncci_pair_never_payable(ctx: ScrubContext) -> Iterator[Hit]:
    """N002: NCCI pair with modifier indicator 0: the column-2 code is never paid with it.

    NCCI Policy Manual ch. XI: no modifier bypasses an indicator-0 edit.
    """
    for row, number in _billed_pairs(ctx, 0):
        col1, col2 = row["column1"], row["column2"]
        yield Hit(
            f"{col2} cannot be billed with {col1} on the same date (NCCI modifier indicator"
            f" 0; no modifier allows it); remove one of them{_edit_of(row)}{unverified_note(row)}",
            line=number,
            code=col2,
        )


MAI_WORDS = {
    1: "per claim line (MAI 1)",
    2: "per date of service, an absolute policy limit (MAI 2)",
    3: "per date of service, a clinical limit (MAI 3: appealable with documentation)",
}


def units_over_mue(ctx: ScrubContext) -> Iterator[Hit]:
    """N003: units of a code over its Medically Unlikely Edit value.

    NCCI MUE program (reference §4; CMS "Medically Unlikely Edits" page): the MUE
    adjudication indicator says what the value limits. MAI 1 is a claim-line edit: each
    line is checked alone. MAI 2 (absolute, policy) and MAI 3 (clinical) are date-of-
    service edits: the units of all the code's lines that day are added, so a code split
    into CQ/CO and therapist lines counts once. Values are pack data with their source.
    No fix: which units are right needs the documentation.
    """
    mue = ctx.pack.derived("mue_by_code", lambda p: index_rows(p.param("mue", ()), "code"))
    if not mue:
        return
    per_day: dict[str, int] = {}
    for line in ctx.charges.lines:
        per_day[line.code] = per_day.get(line.code, 0) + line.units
    reported: set[str] = set()
    for line in ctx.charges.lines:
        row = mue.get(line.code)
        if row is None:
            continue
        mai = int(row["mai"])
        units = line.units if mai == 1 else per_day[line.code]
        if units <= row["max_units"] or (mai != 1 and line.code in reported):
            continue
        reported.add(line.code)
        where = "on this line" if mai == 1 else "on this date of service"
        yield Hit(
            f"{line.code} billed {units} units {where}; the MUE allows {row['max_units']}"
            f" {MAI_WORDS[mai]}{unverified_note(row)}",
            line=line.line_number,
            code=line.code,
        )


def code_not_payable(ctx: ScrubContext) -> Iterator[Hit]:
    """N004: a code this payer does not pay (bundled or not recognized), per the pack.

    Medicare bundles 97010 and does not recognize 97014 (G0283 is billed instead);
    both are [U] in the reference. Safe fix only where a replacement code exists.
    """
    rows = ctx.pack.derived(
        "non_payable_by_code", lambda p: index_rows(p.param("non_payable", ()), "code")
    )
    if not rows:
        return
    for line in ctx.charges.lines:
        row = rows.get(line.code)
        if row is None:
            continue
        status = str(row["status"]).replace("_", " ")
        new = row.get("replacement")
        action = f"bill {new} instead" if new else "do not bill it separately"
        fix = (
            Fix("replace_code", f"replace {line.code} with {new}", line.code, new) if new else None
        )
        yield Hit(
            f"{line.code} is {status} by this payer; {action}{unverified_note(row)}",
            line=line.line_number,
            code=line.code,
            fix=fix,
        )


def too_many_evaluations(ctx: ScrubContext) -> Iterator[Hit]:
    """N005: more than one evaluation or re-evaluation per discipline on one date.

    NCCI Policy Manual ch. XI: only one PT evaluation or re-evaluation (97161–97164) per
    date of service; the same holds for OT (97165–97168). Earlier visits of the patient on
    the same date and discipline in the input count too.
    """
    limit = int(ctx.pack.param("evaluations_per_day", 1))
    visit = ctx.visit
    if visit.discipline not in ctx.pack.param("evaluation_limited_disciplines", EVAL_LIMITED):
        return  # SLP evaluations (92521-92610) are distinct tests, often billed together
    earlier = 0
    for prior in ctx.history.prior_visits:
        if prior.date_of_service == visit.date_of_service and prior.discipline == visit.discipline:
            earlier += sum(1 for s in prior.services if _is_eval(ctx, s.code))
    count = earlier
    for line in ctx.charges.lines:
        if not _is_eval(ctx, line.code):
            continue
        count += 1
        if count > limit:
            where = " (with the patient's earlier visit that day)" if earlier else ""
            yield Hit(
                f"{line.code} is evaluation number {count} on {visit.date_of_service}"
                f"{where}; only {limit} per discipline per date is payable: keep one",
                line=line.line_number,
                code=line.code,
            )


def _is_eval(ctx: ScrubContext, code: str) -> bool:
    info = ctx.catalog.get(code)
    return info is not None and info.evaluation is not None


RULES: tuple[Rule, ...] = (
    Rule("N001", "NCCI pair billed without a distinct-service modifier", Severity.ERROR,
         SRC_NCCI, ncci_pair_without_distinct, "97140 and 97530 billed together, no 59/X on"
         " 97530"),
    Rule("N002", "NCCI pair that no modifier allows", Severity.ERROR, SRC_NCCI,
         ncci_pair_never_payable, "a pair the pack marks indicator 0 billed together"),
    Rule("N003", "Units over the MUE", Severity.ERROR, SRC_MUE, units_over_mue,
         "97035 billed 3 units (MUE 2)"),
    Rule("N004", "Code not payable by this payer", Severity.ERROR, SRC_PAY,
         code_not_payable, "Medicare visit billing 97014 (bill G0283)"),
    Rule("N005", "More than one evaluation on one date", Severity.ERROR, SRC_EVAL,
         too_many_evaluations, "97161 and 97164 on the same PT visit"),
)  # fmt: skip
