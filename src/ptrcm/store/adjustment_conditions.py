"""Adjustment meanings as SQL conditions over ``adjustments``, for the read model and KPIs.

The meanings are the domain's (``ptrcm.domain.adjustment_codes``): a denial is an
adjustment whose group is not CR and whose CARC is not one of the known non-denial codes.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from ptrcm.domain.adjustment_codes import carcs_of_kind, non_denial_carcs
from ptrcm.domain.denials import AdjustmentKind
from ptrcm.store.tables import adjustments


def is_denial() -> ColumnElement[bool]:
    return and_(adjustments.c.group_code != "CR", adjustments.c.carc.not_in(non_denial_carcs()))


def is_contractual() -> ColumnElement[bool]:
    return and_(
        adjustments.c.group_code != "CR",
        adjustments.c.carc.in_(carcs_of_kind(AdjustmentKind.CONTRACTUAL)),
    )


def reduces_payer_balance() -> ColumnElement[bool]:
    """Adjustments that take an amount off what the payer owes: everything but denials.

    A denied amount stays in A/R until it is recovered, or the claim is closed.
    """
    return or_(adjustments.c.group_code == "CR", adjustments.c.carc.in_(non_denial_carcs()))
