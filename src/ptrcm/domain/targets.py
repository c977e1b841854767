"""KPI targets and service levels of a billing engagement, and how a figure stands against
its target: met, at risk (within the target's band on the wrong side) or missed.

Defaults come from the benchmarks practices measure themselves against
(therapy-billing-rules.md §10 [S]): clean-claim and first-pass rates at least 95%, initial
denial rate at most 5%, days in A/R at most 35, A/R over 90 days at most 15% of A/R (the
upper end of the 10-15% range), net collection rate at least 95%. A practice sets its own
per organization in ``ptrcm.toml`` (``[targets]``). Service levels (``[sla]``) are days:
charge entry 3, claim submission 2, denial follow-up 14, patient inquiries 2, defaults a
practice agrees with its billing service [U].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Direction(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Standing(StrEnum):
    MET = "met"
    AT_RISK = "at_risk"
    MISSED = "missed"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class Target:
    kpi: str  # the key of ``analytics.report.headline`` (or ar_over_90_share)
    label: str
    direction: Direction
    value: Decimal
    band: Decimal  # how far on the wrong side still counts as "at risk"
    source: str

    def standing(self, figure: Decimal | None) -> Standing:
        if figure is None:
            return Standing.NO_DATA
        gap = figure - self.value if self.direction is Direction.AT_LEAST else self.value - figure
        if gap >= 0:
            return Standing.MET
        return Standing.AT_RISK if -gap <= self.band else Standing.MISSED


SOURCE = "therapy-billing-rules.md §10 [S]"
DEFAULT_TARGETS: tuple[Target, ...] = (
    Target(
        "clean_claim_rate",
        "Clean-claim rate",
        Direction.AT_LEAST,
        Decimal("0.95"),
        Decimal("0.02"),
        SOURCE,
    ),
    Target(
        "first_pass_rate",
        "First-pass payment rate",
        Direction.AT_LEAST,
        Decimal("0.95"),
        Decimal("0.02"),
        SOURCE,
    ),
    Target(
        "denial_rate_claims",
        "Initial denial rate (claims)",
        Direction.AT_MOST,
        Decimal("0.05"),
        Decimal("0.02"),
        SOURCE,
    ),
    Target("days_in_ar", "Days in A/R", Direction.AT_MOST, Decimal("35"), Decimal("5"), SOURCE),
    Target(
        "ar_over_90_share",
        "A/R over 90 days (share of A/R)",
        Direction.AT_MOST,
        Decimal("0.15"),
        Decimal("0.03"),
        SOURCE,
    ),
    Target(
        "net_collection_rate",
        "Net collection rate",
        Direction.AT_LEAST,
        Decimal("0.95"),
        Decimal("0.02"),
        SOURCE,
    ),
)


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    name: str  # charge_entry | claim_submission | denial_follow_up | patient_inquiry
    label: str
    days: int


DEFAULT_SLAS: tuple[ServiceLevel, ...] = (
    ServiceLevel("charge_entry", "Charge entry (date of service to claim built)", 3),
    ServiceLevel("claim_submission", "Claim submission (built to first sent)", 2),
    ServiceLevel("denial_follow_up", "Denial follow-up (denial to appeal or correction)", 14),
    ServiceLevel("patient_inquiry", "Patient inquiries (opened to answered)", 2),
)


def targets_with(overrides: Mapping[str, Decimal]) -> tuple[Target, ...]:
    """The default targets with a practice's values (same direction and band)."""
    known = {t.kpi for t in DEFAULT_TARGETS}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"no such target: {unknown[0]}")
    return tuple(
        Target(
            t.kpi,
            t.label,
            t.direction,
            overrides.get(t.kpi, t.value),
            t.band,
            t.source if t.kpi not in overrides else "ptrcm.toml [targets]",
        )
        for t in DEFAULT_TARGETS
    )


def levels_with(overrides: Mapping[str, int]) -> tuple[ServiceLevel, ...]:
    known = {s.name for s in DEFAULT_SLAS}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"no such service level: {unknown[0]}")
    return tuple(ServiceLevel(s.name, s.label, overrides.get(s.name, s.days)) for s in DEFAULT_SLAS)


def attainment(histogram: tuple[tuple[int, int], ...], days: int) -> Decimal | None:
    """Share of events done within ``days`` (None when nothing was measured)."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None
    return Decimal(sum(n for d, n in histogram if d <= days)) / total
