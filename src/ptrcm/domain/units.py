"""Time-based units: therapist minutes to CPT units, with the reasoning kept as data.

Two methods (reference §1):

* ``cms`` — the Medicare total-time method ("8-minute rule", MCPM Pub 100-04 ch. 5
  §20.2). The minutes of every 15-minute timed code on the date of service are pooled:
  T minutes give ``0`` units below 8, else ``(T + 7) // 15``. Each code first gets
  ``minutes // 15`` full units; the units still owed go one at a time to the codes with
  the most leftover minutes (``minutes % 15``). This reproduces every CMS worked example.
* ``ama`` — the per-code ("substantial portion" / midpoint) method: each timed code on its
  own gets ``0`` units below 8 minutes, else ``(m + 7) // 15``. No pooling.

Ties between equal leftovers are the provider's choice under CMS. ptrcm breaks them
deterministically and reports the tie: the code with more total minutes wins, then the
code documented first. Untimed (service-based) codes get one unit per date of service and
their minutes never count. 30-minute codes (98960–98962) are never pooled with 15-minute
codes; each gets a unit per 30 minutes once past the midpoint (16, 46, 76, ...). An add-on
code (97130 "each additional 15 minutes" of 97129) is counted together with its primary:
the family's units go first to the primary (one), the rest to the add-on. The primary
is billed once a day (CPT: 97129 is the first 15 minutes; each further 15 minutes is
97130), so a primary documented alone whose minutes earn more than one unit is split
the same way: one unit of 97129, the rest as 97130.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ptrcm.domain.codes import Catalog

MIN_MINUTES_FOR_UNIT = 8
UNIT = 15


class UnitMethod(StrEnum):
    CMS = "cms"
    AMA = "ama"


# Why a code got its units; rendered into words by UnitResult.explain().
FULL = "full"  # full 15-minute units only
LEFTOVER = "leftover"  # full units plus one unit from leftover minutes
TIE = "tie"  # won (or lost) a tie on leftover minutes
UNTIMED = "untimed"  # service-based code
NO_MINUTES = "no_minutes"  # timed code without documented minutes
PER_CODE = "per_code"  # per-code method
THIRTY = "thirty"  # 30-minute code
ADD_ON = "add_on"  # units handed to the add-on code of a family


@dataclass(frozen=True, slots=True)
class CodeUnits:
    """Units for one code on one date of service, and why."""

    code: str
    minutes: int | None
    units: int
    full_units: int
    leftover: int
    reason: str


@dataclass(frozen=True, slots=True)
class Tie:
    """Codes whose leftover minutes were equal where the last unit(s) had to be given."""

    leftover: int
    codes: tuple[str, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnitResult:
    method: UnitMethod
    total_timed_minutes: int
    total_units: int
    lines: tuple[CodeUnits, ...]
    ties: tuple[Tie, ...] = ()

    @property
    def units(self) -> dict[str, int]:
        return {line.code: line.units for line in self.lines}

    def explain(self) -> list[str]:
        """The reasoning in words, one step per line, for a therapist or biller."""
        return _explain(self)


def per_code_units(minutes: int, unit_minutes: int = UNIT) -> int:
    """Units for one code on its own: a unit once past the midpoint of each unit length."""
    half = unit_minutes // 2 + 1  # 8 of 15, 16 of 30
    if minutes < half:
        return 0
    return (minutes + unit_minutes - half) // unit_minutes


def total_units_cms(total_minutes: int) -> int:
    """Units for T pooled minutes under the Medicare total-time method."""
    if total_minutes < MIN_MINUTES_FOR_UNIT:
        return 0
    return (total_minutes + 7) // UNIT


def compute_units(
    services: Iterable[tuple[str, int | None]],
    method: UnitMethod,
    catalog: Catalog,
) -> UnitResult:
    """Units per code for one date of service and one discipline.

    ``services`` are (code, minutes) pairs in documentation order; a code appearing twice
    has its minutes added (one line per code per date of service since 2021-04-19).
    """
    order: list[str] = []
    minutes: dict[str, int | None] = {}
    for code, mins in services:
        if code in minutes:
            prev = minutes[code]
            minutes[code] = None if prev is None and mins is None else (prev or 0) + (mins or 0)
        else:
            order.append(code)
            minutes[code] = mins

    lines: dict[str, CodeUnits] = {}
    pooled: list[tuple[str, int]] = []  # 15-minute timed codes (families merged)
    families: dict[str, str] = {}  # add-on code -> primary code
    for code in order:
        info = catalog.get(code)
        mins = minutes[code]
        if info is None or not info.timed:
            lines[code] = CodeUnits(code, mins, 1, 0, 0, UNTIMED)
        elif info.add_on_of is not None and info.add_on_of in minutes:
            families[code] = info.add_on_of  # counted with its primary below
        elif mins is None:
            lines[code] = CodeUnits(code, None, 0, 0, 0, NO_MINUTES)
        elif info.unit_minutes != UNIT:
            lines[code] = CodeUnits(code, mins, per_code_units(mins, 30), 0, 0, THIRTY)
        else:
            fam = mins
            for add_on, primary in _add_ons_of(code, order, catalog):
                families[add_on] = primary
                fam += minutes[add_on] or 0
            pooled.append((code, fam))

    total = sum(m for _, m in pooled)
    ties: tuple[Tie, ...] = ()
    if method is UnitMethod.CMS:
        pooled_units, ties = _assign_cms(pooled, total)
    else:
        pooled_units = {c: CodeUnits(c, m, per_code_units(m), 0, 0, PER_CODE) for c, m in pooled}
    lines.update(pooled_units)
    _split_families(lines, families, minutes, catalog)
    _split_undocumented_add_ons(lines, [c for c, _ in pooled], minutes, catalog)

    ordered = tuple(lines[c] for c in order if c in lines) + tuple(
        v for c, v in lines.items() if c not in minutes
    )
    total_units = sum(pooled_units[c].units for c, _ in pooled)
    return UnitResult(method, total, total_units, ordered, ties)


def _add_ons_of(primary: str, order: list[str], catalog: Catalog) -> list[tuple[str, str]]:
    out = []
    for code in order:
        info = catalog.get(code)
        if info is not None and info.add_on_of == primary:
            out.append((code, primary))
    return out


def _assign_cms(
    pooled: list[tuple[str, int]], total: int
) -> tuple[dict[str, CodeUnits], tuple[Tie, ...]]:
    owed = total_units_cms(total) - sum(m // UNIT for _, m in pooled)
    result: dict[str, CodeUnits] = {}
    if owed <= 0:
        for code, m in pooled:
            result[code] = CodeUnits(code, m, m // UNIT, m // UNIT, m % UNIT, FULL)
        return result, ()
    # Rank by leftover minutes; ties: more total minutes, then documentation order.
    ranked = sorted(
        ((m % UNIT, m, -i, code) for i, (code, m) in enumerate(pooled) if m % UNIT),
        reverse=True,
    )
    winners = {code for _, _, _, code in ranked[:owed]}
    ties: list[Tie] = []
    cut = ranked[owed - 1][0]
    if owed < len(ranked) and ranked[owed][0] == cut:
        tied = tuple(code for left, _, _, code in ranked if left == cut)
        ties.append(Tie(cut, tied, tuple(c for c in tied if c in winners)))
    tied_codes = {c for t in ties for c in t.codes}
    for code, m in pooled:
        full = m // UNIT
        won = code in winners
        reason = TIE if code in tied_codes else (LEFTOVER if won else FULL)
        result[code] = CodeUnits(code, m, full + won, full, m % UNIT, reason)
    return result, tuple(ties)


def _split_families(
    lines: dict[str, CodeUnits],
    families: dict[str, str],
    minutes: dict[str, int | None],
    catalog: Catalog,
) -> None:
    """Give a family's units to its primary (one) and the rest to the add-on code."""
    for add_on, primary in families.items():
        fam = lines[primary]
        first = min(1, fam.units)
        lines[primary] = CodeUnits(
            primary, minutes[primary], first, fam.full_units, fam.leftover, fam.reason
        )
        lines[add_on] = CodeUnits(add_on, minutes[add_on], fam.units - first, 0, 0, ADD_ON)
    del catalog  # the family map was already resolved by the caller


def _split_undocumented_add_ons(
    lines: dict[str, CodeUnits],
    primaries: list[str],
    minutes: dict[str, int | None],
    catalog: Catalog,
) -> None:
    """A primary documented without its add-on keeps one unit; the rest go to the add-on."""
    for primary in primaries:
        add_on = catalog.add_on_for(primary)
        line = lines[primary]
        if add_on is None or add_on in minutes or line.units <= 1:
            continue
        lines[primary] = CodeUnits(
            primary, line.minutes, 1, line.full_units, line.leftover, line.reason
        )
        lines[add_on] = CodeUnits(add_on, None, line.units - 1, 0, 0, ADD_ON)


def _explain(result: UnitResult) -> list[str]:
    timed = [ln for ln in result.lines if ln.reason not in _OTHER_REASONS]
    if result.method is UnitMethod.CMS:
        steps = _explain_cms(result, timed)
    else:
        steps = ["per-code method: each timed code on its own, a unit from 8 minutes"]
        steps += [f"{ln.code}: {ln.minutes} minutes → {ln.units} unit(s)" for ln in timed]
    steps += [_explain_other(ln) for ln in result.lines if ln.reason in _OTHER_REASONS]
    billed = ", ".join(f"{ln.code} ×{ln.units}" for ln in result.lines if ln.units)
    steps.append(f"units: {billed or 'none'}")
    return steps


def _explain_cms(result: UnitResult, timed: list[CodeUnits]) -> list[str]:
    plural = "s" if result.total_units != 1 else ""
    steps = [
        f"Medicare total-time method: {result.total_timed_minutes} timed minutes"
        f" → {result.total_units} unit{plural}"
    ]
    if 0 < result.total_timed_minutes < MIN_MINUTES_FOR_UNIT:
        steps.append("under 8 timed minutes on the day: no timed unit is billable")
    for ln in timed:
        if ln.full_units:
            s = "s" if ln.full_units != 1 else ""
            steps.append(
                f"{ln.code}: {ln.full_units} full unit{s} from {ln.full_units * UNIT} minutes,"
                f" {ln.leftover} left over"
            )
        else:
            steps.append(f"{ln.code}: no full unit, {ln.leftover} left over")
    losers = [ln for ln in timed if ln.units == ln.full_units and ln.leftover]
    for ln in timed:
        if ln.units > ln.full_units:
            beaten = [str(o.leftover) for o in losers if o.leftover < ln.leftover]
            versus = f" beats {', '.join(beaten)}" if beaten else ""
            steps.append(f"{ln.code}: {ln.leftover} left over{versus} → 1 unit")
    for tie in result.ties:
        steps.append(
            f"tie at {tie.leftover} leftover minutes between {', '.join(tie.codes)}: the"
            f" provider's choice; ptrcm gave the unit to {', '.join(tie.chosen)} (more total"
            " minutes, then the code documented first)"
        )
    return steps


_OTHER_REASONS = (ADD_ON, UNTIMED, NO_MINUTES, THIRTY)


def _explain_other(ln: CodeUnits) -> str:
    if ln.reason == ADD_ON:
        return (
            f"{ln.code}: add-on, each additional 15 minutes after the primary's first"
            f" unit → {ln.units} unit(s)"
        )
    if ln.reason == UNTIMED:
        return f"{ln.code}: untimed, 1 unit per date of service; minutes not counted"
    if ln.reason == NO_MINUTES:
        return f"{ln.code}: timed code without documented minutes → 0 units"
    return f"{ln.code}: 30-minute code, {ln.minutes} minutes → {ln.units} unit(s)"
