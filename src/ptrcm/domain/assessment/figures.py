"""Every figure of an assessment, from the records alone (definitions: docs/assess.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.domain.assessment.aging import AgingRow, Projection, aging, open_claims, projection
from ptrcm.domain.assessment.classify import prevention_table
from ptrcm.domain.assessment.denial_figures import (
    ClassRow,
    DenialItem,
    FirstPass,
    ReasonRow,
    VolumeRow,
    classes,
    denial_items,
    first_pass,
    reasons,
    volumes,
)
from ptrcm.domain.assessment.records import UNKNOWN_CLASS, AnsweredClaim, BilledClaim
from ptrcm.domain.assessment.underpaid import Underpayments, underpayments
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money

DEFAULT_TARGET = Decimal("0.95")
# Cost to rework one denied claim: a stated assumption the user can change (--rework-cost);
# no primary source fixes it for therapy practices [U].
DEFAULT_REWORK_COST = Money.of("25.00")


@dataclass(frozen=True, slots=True)
class Settings:
    as_of: date
    target_clean_rate: Decimal = DEFAULT_TARGET
    rework_cost: Money = DEFAULT_REWORK_COST
    fee_schedule: FeeSchedule | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    settings: Settings
    files: tuple[str, ...]  # what was read
    skipped: tuple[str, ...]  # one line per file or transaction set left out, and why
    answered: int  # CLPs read (after duplicates were dropped)
    duplicates: int  # transaction sets dropped as re-sent payments
    volumes: tuple[VolumeRow, ...]
    first_pass: FirstPass
    denials: tuple[DenialItem, ...]
    reasons: tuple[ReasonRow, ...]
    classes: tuple[ClassRow, ...]
    underpayments: Underpayments
    aging: tuple[AgingRow, ...] | None  # None without 837s
    projection: Projection | None
    not_computed: tuple[str, ...]
    assumptions: tuple[str, ...]
    prevention_version: str


def assess(
    answered: Sequence[AnsweredClaim],
    billed: Sequence[BilledClaim] | None,
    settings: Settings,
    *,
    files: Sequence[str] = (),
    skipped: Sequence[str] = (),
    duplicates: int = 0,
) -> Assessment:
    items = denial_items(answered, settings.as_of)
    passes = first_pass(answered)
    table = prevention_table()
    rows = aging(billed, answered, settings.as_of) if billed else None
    opened = open_claims(billed, answered, settings.as_of) if billed else None
    projected = projection(
        passes.adjudicated,
        passes.with_denial,
        settings.target_clean_rate,
        settings.rework_cost,
        opened,
    )
    paid = underpayments(answered, settings.fee_schedule)
    missing = []
    if not billed:
        missing.append(
            "A/R aging and days in A/R: no 837s were given, so claims billed and not yet"
            " answered are unknown."
        )
    if projected is None:
        missing.append("Clean-claim projection: no claim was answered as primary.")
    undated = sum(1 for c in answered if c.paid_on is None)
    if undated:
        missing.append(
            f"{undated} answered claims have no remittance date (BPR16 or DTM*405):"
            " shown as 'undated' and with no appeal window."
        )
    unknown = sum(1 for c in answered if c.payer_class == UNKNOWN_CLASS)
    if unknown:
        missing.append(
            f"{unknown} answered claims have no known filing indicator (CLP06): no"
            " appeal window and no expected payment for them."
        )
    if paid.not_priced:
        missing.append(
            f"{paid.not_priced} of {paid.checked} paid lines could not be priced"
            f" against {paid.schedule} (code not on it, no date of service, or"
            " an unknown payer class)."
        )
    assumptions = (
        f"As-of day {settings.as_of.isoformat()}: ages and appeal windows count to it.",
        f"Target clean-claim rate {settings.target_clean_rate:.0%}; rework cost"
        f" {settings.rework_cost} per denied claim (an assumption, change it with --rework-cost).",
        "A claim's clean-claim rate is taken as 1 - its initial denial rate: 835s do not show"
        " front-end rejections (999/277CA).",
        f"Expected payments: {paid.schedule}; MPPR and the CQ/CO reduction for Medicare and"
        " Medicare Advantage (the default contracts).",
        "Appeal windows: first level, by payer class (domain.deadlines; Medicare 120 days from"
        " presumed receipt 5 days after the remittance [C]; other classes unconfirmed [U]).",
        "Projected aging: denied claims' outstanding dollars scale with the denial rate;"
        " unanswered and partly paid balances stay as they are.",
    )
    return Assessment(
        settings,
        tuple(files),
        tuple(skipped),
        len(answered),
        duplicates,
        volumes(answered),
        passes,
        items,
        reasons(items),
        classes(items),
        paid,
        rows,
        projected,
        tuple(missing),
        assumptions,
        table.version,
    )
