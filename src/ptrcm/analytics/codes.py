"""Adjustment meanings as SQL conditions, from the CARC table of ``ptrcm.domain.denials``.

An adjustment is a *denial* when its group is not CR (a correction or reversal) and its
CARC is of kind ``denial`` in ``data/carc.csv``; a CARC missing from the table counts as a
denial of category ``other``, as ``classify_adjustment`` does. Contractual (e.g. CARC 45)
and patient-responsibility (1, 2, 3) adjustments are never denials.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, and_, or_

from ptrcm.domain.denials import AdjustmentKind, DenialCategory, load_reason_codes
from ptrcm.store.tables import adjustments


@cache
def _codes_of(kind: AdjustmentKind | None) -> tuple[str, ...]:
    carcs = load_reason_codes().carcs
    if kind is None:  # everything that is not a denial
        return tuple(sorted(c for c, i in carcs.items() if i.kind is not AdjustmentKind.DENIAL))
    return tuple(sorted(c for c, i in carcs.items() if i.kind is kind))


def is_denial() -> ColumnElement[bool]:
    return and_(adjustments.c.group_code != "CR", adjustments.c.carc.not_in(_codes_of(None)))


def is_contractual() -> ColumnElement[bool]:
    return and_(
        adjustments.c.group_code != "CR",
        adjustments.c.carc.in_(_codes_of(AdjustmentKind.CONTRACTUAL)),
    )


def reduces_payer_balance() -> ColumnElement[bool]:
    """Adjustments that take an amount off what the payer owes: everything but denials.

    A denied amount stays in A/R until it is recovered, or the claim is closed.
    """
    return or_(adjustments.c.group_code == "CR", adjustments.c.carc.in_(_codes_of(None)))


def category_of(carc: str) -> DenialCategory:
    info = load_reason_codes().carcs.get(carc)
    return DenialCategory.OTHER if info is None else info.category


def description_of(carc: str) -> str:
    info = load_reason_codes().carcs.get(carc)
    return "" if info is None else info.description
