"""An item for a work queue, as the services raise it: an exception, denial, rejection or
underpayment a biller has to work, with the claim, amount, due date and CARC it concerns.

``ptrcm.store.posting_repo.WorkQueue`` keeps them; ``ptrcm.domain.deadlines.WorkItem`` is
the narrower view the appeal deadlines rank (an id, the dollars at stake, the deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class WorkItem:
    """An item for a work queue: exception, denial, rejection or underpayment."""

    kind: str
    reason: str
    claim_id: int | None = None
    amount: Decimal | None = None
    due_date: date | None = None
    carc: str | None = None
