"""Denial categorization: what an 835 adjustment means and what a biller should do next.

Reference §7: the group code (CO, PR, OA, PI, CR) says who carries the amount; the CARC says
why; RARCs refine the why. The code tables are data (``data/carc.csv``, ``data/rarc.csv``,
paraphrased in our own words) and so is the next-action playbook with its documentation
checklists (``data/denial_playbook.toml``). The rules that combine them are here:

1. Group CR is a correction or reversal, never a new denial.
2. The category is the CARC's; a broad CARC (``refine=yes``, such as 16 or 96) takes the
   category of its first RARC that has one (16 + N290 is documentation, 96 + N115 is
   medical necessity). An unknown CARC is ``other``.
3. Appealable unless the CARC is not, or any RARC says so (MA130: correct and resubmit;
   N211: no appeal) (reference §8).
4. Next action: patient responsibility goes to secondary coverage or the patient;
   contractual adjustments are written off; a denial in group PR is the patient's (for
   example a signed ABN); otherwise the playbook's action for the category, with two
   exceptions: a not-appealable denial is corrected and resubmitted when the claim was
   unprocessable (MA130) and otherwise written off, and a bundling denial on a line that
   already carries 59/X is appealed (reference §3).
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Protocol

from ptrcm.domain.money import Money

DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})


class DenialCategory(StrEnum):
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    CONTRACTUAL = "contractual"
    CODING_MODIFIER = "coding_modifier"
    MEDICAL_NECESSITY = "medical_necessity"
    DOCUMENTATION = "documentation"
    DUPLICATE = "duplicate"
    COB = "cob"
    ELIGIBILITY = "eligibility"
    TIMELY_FILING = "timely_filing"
    COVERAGE = "coverage"
    BUNDLING_NCCI = "bundling_ncci"
    BENEFIT_MAXIMUM = "benefit_maximum"
    UNITS_FREQUENCY = "units_frequency"
    AUTHORIZATION = "authorization"
    OTHER = "other"


class AdjustmentKind(StrEnum):
    DENIAL = "denial"
    CONTRACTUAL = "contractual"
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    INFORMATIONAL = "informational"
    REVERSAL = "reversal"


class NextAction(StrEnum):
    CORRECT_AND_RESUBMIT = "correct_and_resubmit"
    APPEAL = "appeal"
    BILL_SECONDARY = "bill_secondary"
    BILL_PATIENT = "bill_patient"
    WRITE_OFF = "write_off"
    REVIEW = "review"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class CarcInfo:
    code: str
    category: DenialCategory
    kind: AdjustmentKind
    appealable: bool
    refine: bool
    description: str


@dataclass(frozen=True, slots=True)
class RarcInfo:
    code: str
    category: DenialCategory | None
    appealable: bool | None
    description: str


@dataclass(frozen=True, slots=True)
class PlaybookEntry:
    category: DenialCategory
    action: NextAction
    summary: str
    checklist: tuple[str, ...]
    letter: str = ""


@dataclass(frozen=True, slots=True)
class ReasonCodes:
    """The CARC and RARC tables and the playbook, as read from package data."""

    carcs: Mapping[str, CarcInfo]
    rarcs: Mapping[str, RarcInfo]
    playbook: Mapping[DenialCategory, PlaybookEntry]


def _rows(text: str, name: str, columns: set[str]) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames is None or not columns <= set(reader.fieldnames):
        raise ValueError(f"{name}: needs the columns {sorted(columns)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row or any(row.get(c) is None for c in columns):
            raise ValueError(f"{name}: row {number} has the wrong number of fields")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _yes_no(value: str, name: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"{name}: expected yes or no, got {value!r}")
    return value == "yes"


def parse_carcs(text: str, name: str = "carc.csv") -> dict[str, CarcInfo]:
    columns = {"code", "category", "kind", "appealable", "refine", "description"}
    return {
        row["code"]: CarcInfo(
            code=row["code"],
            category=DenialCategory(row["category"]),
            kind=AdjustmentKind(row["kind"]),
            appealable=_yes_no(row["appealable"], f"{name} {row['code']}"),
            refine=_yes_no(row["refine"], f"{name} {row['code']}"),
            description=row["description"],
        )
        for row in _rows(text, name, columns)
    }


def parse_rarcs(text: str, name: str = "rarc.csv") -> dict[str, RarcInfo]:
    columns = {"code", "category", "appealable", "description"}
    return {
        row["code"]: RarcInfo(
            code=row["code"],
            category=DenialCategory(row["category"]) if row["category"] else None,
            appealable=(
                _yes_no(row["appealable"], f"{name} {row['code']}") if row["appealable"] else None
            ),
            description=row["description"],
        )
        for row in _rows(text, name, columns)
    }


def parse_playbook(text: str) -> dict[DenialCategory, PlaybookEntry]:
    raw = tomllib.loads(text).get("categories", {})
    out = {
        DenialCategory(key): PlaybookEntry(
            category=DenialCategory(key),
            action=NextAction(value["action"]),
            summary=str(value["summary"]),
            checklist=tuple(str(item) for item in value.get("checklist", [])),
            letter=str(value.get("letter", "")),
        )
        for key, value in raw.items()
    }
    missing = set(DenialCategory) - set(out)
    if missing:
        raise ValueError(f"denial playbook lacks categories {sorted(missing)}")
    return out


@cache
def load_reason_codes() -> ReasonCodes:
    """The tables shipped in ``ptrcm/data`` (read once, on first use)."""
    data = resources.files("ptrcm.data")
    return ReasonCodes(
        carcs=parse_carcs(data.joinpath("carc.csv").read_text(encoding="utf-8")),
        rarcs=parse_rarcs(data.joinpath("rarc.csv").read_text(encoding="utf-8")),
        playbook=parse_playbook(data.joinpath("denial_playbook.toml").read_text(encoding="utf-8")),
    )


@dataclass(frozen=True, slots=True)
class Classification:
    """What one adjustment means, what to do about it, and why ptrcm thinks so."""

    group: str
    carc: str
    rarcs: tuple[str, ...]
    category: DenialCategory
    kind: AdjustmentKind
    appealable: bool
    action: NextAction
    description: str
    checklist: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def is_denial(self) -> bool:
        return self.kind is AdjustmentKind.DENIAL


def classify_adjustment(
    group: str,
    carc: str,
    rarcs: Sequence[str] = (),
    *,
    has_secondary: bool = False,
    line_modifiers: Iterable[str] = (),
    codes: ReasonCodes | None = None,
) -> Classification:
    """Category, kind, appealability and next action of one CAS adjustment (reference §7).

    With the shipped tables (``codes`` None) the answer is a pure function of the
    arguments and is kept: an 835 repeats a handful of (group, CARC, RARC) combinations
    over thousands of lines."""
    if codes is None:
        modifiers = frozenset(map(str.upper, line_modifiers))
        return _classify_shipped(group, carc, tuple(rarcs), has_secondary, modifiers)
    return _classify(group, carc, rarcs, has_secondary, line_modifiers, codes)


@lru_cache(maxsize=4096)
def _classify_shipped(
    group: str, carc: str, rarcs: tuple[str, ...], has_secondary: bool, modifiers: frozenset[str]
) -> Classification:
    return _classify(group, carc, rarcs, has_secondary, modifiers, load_reason_codes())


def _classify(
    group: str,
    carc: str,
    rarcs: Sequence[str],
    has_secondary: bool,
    line_modifiers: Iterable[str],
    codes: ReasonCodes,
) -> Classification:
    group, carc = group.strip().upper(), carc.strip().upper()
    rarcs = tuple(r.strip().upper() for r in rarcs)
    info = codes.carcs.get(carc)
    reasons: list[str] = []
    if info is None:
        info = CarcInfo(carc, DenialCategory.OTHER, AdjustmentKind.DENIAL, True, True, "")
        reasons.append(f"CARC {carc} is not in carc.csv: category other")
    category = info.category
    remarks = [codes.rarcs[r] for r in rarcs if r in codes.rarcs]
    if info.refine:
        refined = next((r for r in remarks if r.category is not None), None)
        if refined is not None and refined.category is not None:
            category = refined.category
            reasons.append(f"RARC {refined.code} narrows CARC {carc} to {category}")
    kind = AdjustmentKind.REVERSAL if group == "CR" else info.kind
    blockers = [r.code for r in remarks if r.appealable is False]
    appealable = info.appealable and not blockers and kind is AdjustmentKind.DENIAL
    if blockers:
        reasons.append(f"RARC {', '.join(blockers)}: not appealable")
    entry = codes.playbook[category]
    action = _next_action(group, kind, entry, appealable, blockers, remarks, has_secondary)
    if (
        category is DenialCategory.BUNDLING_NCCI
        and action is NextAction.CORRECT_AND_RESUBMIT
        and DISTINCT_MODIFIERS & {m.upper() for m in line_modifiers}
    ):
        action = NextAction.APPEAL
        reasons.append("line already carries 59/X: appeal with the time blocks")
    return Classification(
        group=group,
        carc=carc,
        rarcs=rarcs,
        category=category,
        kind=kind,
        appealable=appealable,
        action=action,
        description=info.description,
        checklist=entry.checklist,
        reasons=tuple(reasons),
    )


def _next_action(
    group: str,
    kind: AdjustmentKind,
    entry: PlaybookEntry,
    appealable: bool,
    blockers: list[str],
    remarks: list[RarcInfo],
    has_secondary: bool,
) -> NextAction:
    if kind in (AdjustmentKind.REVERSAL, AdjustmentKind.INFORMATIONAL):
        return NextAction.NONE
    if kind is AdjustmentKind.CONTRACTUAL:
        return NextAction.WRITE_OFF
    if kind is AdjustmentKind.PATIENT_RESPONSIBILITY or group == "PR":
        return NextAction.BILL_SECONDARY if has_secondary else NextAction.BILL_PATIENT
    if entry.action is NextAction.APPEAL and not appealable:
        unprocessable = any(
            r.code in blockers and r.category is DenialCategory.DOCUMENTATION for r in remarks
        )
        return NextAction.CORRECT_AND_RESUBMIT if unprocessable else NextAction.WRITE_OFF
    return entry.action


def categorize_adjustment(group: str, carc: str, rarcs: Sequence[str] = ()) -> DenialCategory:
    """The denial category of one adjustment (reference §7); see ``classify_adjustment``."""
    return classify_adjustment(group, carc, rarcs).category


def documentation_checklist(category: DenialCategory) -> tuple[str, ...]:
    """What an appeal or corrected claim in this category should carry (the playbook)."""
    return load_reason_codes().playbook[category].checklist


class ClaimOutcome(StrEnum):
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"


class AdjustmentLike(Protocol):
    """Anything with a CAS group, reason (CARC) and amount, e.g. ``adjudication.Adjustment``."""

    @property
    def group(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def amount(self) -> Money: ...


STATUS_DENIED = "4"
STATUS_REVERSAL = "22"


def claim_outcome(status: str, paid: Money, adjustments: Iterable[AdjustmentLike]) -> ClaimOutcome:
    """Paid, partially paid, denied or reversed, from an 835 claim (CLP02, CLP04, CAS).

    Rules, first match wins: status 22, a CR adjustment or a negative payment is a
    reversal; status 4 is a denial; no denial-kind adjustment means paid (even when the
    whole allowed amount went to the deductible, or a contractual adjustment took it
    all); denial adjustments with nothing paid and nothing owed by the patient under the
    plan is a denial; anything else is partially paid.
    """
    items = tuple(adjustments)
    if status == STATUS_REVERSAL or paid.amount < 0 or any(a.group == "CR" for a in items):
        return ClaimOutcome.REVERSED
    if status == STATUS_DENIED:
        return ClaimOutcome.DENIED
    denied = owed = Decimal(0)
    for a in items:
        kind = classify_adjustment(a.group, a.reason).kind
        if kind is AdjustmentKind.DENIAL:
            denied += a.amount.amount
        elif kind is AdjustmentKind.PATIENT_RESPONSIBILITY:
            owed += a.amount.amount
    if denied == 0:
        return ClaimOutcome.PAID
    if paid.is_zero() and owed == 0:
        return ClaimOutcome.DENIED
    return ClaimOutcome.PARTIALLY_PAID
