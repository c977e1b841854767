"""What adjustment reason codes and 835 claim statuses mean, as sets and words.

These are the domain's reading of ``data/carc.csv`` (through ``ptrcm.domain.denials``) and
of the 835 claim status code (CLP02), shared by the read model (``ptrcm.store``), the KPI
queries (``ptrcm.analytics``) and the web pages, which must all agree: an adjustment is a
*denial* when its group is not CR (a correction or reversal) and its CARC is of kind
``denial``; a CARC missing from the table counts as a denial of category ``other``, as
``classify_adjustment`` does. Contractual (e.g. CARC 45) and patient-responsibility (1, 2,
3) adjustments are never denials.
"""

from __future__ import annotations

from functools import cache

from ptrcm.domain.denials import (
    STATUS_DENIED,
    STATUS_REVERSAL,
    AdjustmentKind,
    DenialCategory,
    load_reason_codes,
)

#: CLP02 claim status codes in words (X12 835 claim status code list, the ones payers use).
CLAIM_STATUS_WORDS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    STATUS_DENIED: "denied",
    "19": "processed as primary, forwarded",
    "20": "processed as secondary, forwarded",
    STATUS_REVERSAL: "reversal of a previous payment",
}


def claim_status_words(status: str) -> str:
    """The CLP02 status in words, or ``status N`` for a code outside the list."""
    return CLAIM_STATUS_WORDS.get(status, f"status {status}")


@cache
def carcs_of_kind(kind: AdjustmentKind) -> tuple[str, ...]:
    """The CARCs of ``data/carc.csv`` of one kind, sorted."""
    carcs = load_reason_codes().carcs
    return tuple(sorted(code for code, info in carcs.items() if info.kind is kind))


@cache
def non_denial_carcs() -> tuple[str, ...]:
    """The CARCs that are never a denial (every known kind but ``denial``), sorted.

    Its complement, not the list of denial CARCs, defines a denial, so that an unknown CARC
    counts as one.
    """
    carcs = load_reason_codes().carcs
    return tuple(
        sorted(code for code, info in carcs.items() if info.kind is not AdjustmentKind.DENIAL)
    )


def category_of(carc: str) -> DenialCategory:
    """The denial category of a CARC; ``other`` when the CARC is not in the table."""
    info = load_reason_codes().carcs.get(carc)
    return DenialCategory.OTHER if info is None else info.category


def description_of(carc: str) -> str:
    """The CARC's description from the table, or an empty string for an unknown code."""
    info = load_reason_codes().carcs.get(carc)
    return "" if info is None else info.description
