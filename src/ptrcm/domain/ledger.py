"""A ledger entry: one signed amount on one account, traceable to where it came from.

The ledger is append-only: a correction is a new entry that names the entry it reverses
(``reverses_entry_id``), never an edit. ``ptrcm.store.ledger`` keeps the entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One signed amount on one account, traceable to its source file and segment."""

    account: str
    amount: Decimal
    effective_date: date
    patient_id: int | None = None
    payer_id: int | None = None
    claim_id: int | None = None
    claim_line_id: int | None = None
    remittance_file_id: int | None = None
    reverses_entry_id: int | None = None
    source: str | None = None
    segment_ref: str | None = None
    memo: str | None = None
