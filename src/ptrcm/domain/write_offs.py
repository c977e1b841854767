"""Write-offs: why a balance is given up (the reason category) and who may approve how much.

A biller writes off up to ``BILLER_LIMIT`` on their own; above it the write-off waits for
a manager (or an admin), whose approval has no limit. Every write-off names one category
so the write-off rate can be read by cause, and a free-text reason.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from ptrcm.domain.access import Role


class WriteOffCategory(StrEnum):
    timely_filing = "timely_filing"  # the filing or appeal window closed
    no_authorization = "no_authorization"  # no prior authorization on file
    non_covered = "non_covered"  # not a covered service, no ABN signed
    small_balance = "small_balance"  # less than the cost of collecting it
    medical_necessity = "medical_necessity"  # appeal lost on medical necessity
    bad_debt = "bad_debt"  # the patient's share cannot be collected
    other = "other"


BILLER_LIMIT = Decimal("100.00")
_LIMITS: dict[Role, Decimal | None] = {
    Role.biller: BILLER_LIMIT,
    Role.manager: None,  # no limit
    Role.admin: None,
}


def approval_limit(role: Role | None) -> Decimal | None:
    """The largest write-off ``role`` may approve (``None``: any amount). Other roles, and
    no role, get ``Decimal(0)``: their request always waits, their approval is refused."""
    return Decimal("0.00") if role is None else _LIMITS.get(role, Decimal("0.00"))


def within_limit(role: Role | None, amount: Decimal) -> bool:
    limit = approval_limit(role)
    return limit is None or amount <= limit
