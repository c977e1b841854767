"""A claim as the store holds it: its row ids, state and current version's lines.

Posting, acknowledgments, underpayments and secondary billing work on these values; the
store (``ptrcm.store.claim_store``) reads them back by patient control number, id or batch.
The claim lifecycle (build, scrub, submit) lists claims by state as ``ClaimHead`` values
(``ptrcm.store.claims_lifecycle``), without their lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One line of a claim's current version."""

    id: int
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    date_of_service: date
    units: int
    charge: Decimal
    dx_pointers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A stored claim with its current version's lines and the external ids it names."""

    id: int
    pcn: str
    patient_id: int
    payer_id: int
    patient_external_id: str
    payer_external_id: str
    state: str
    total_charge: Decimal
    first_date_of_service: date
    version_id: int
    batch_id: int | None
    document: Mapping[str, Any]
    lines: tuple[LineRecord, ...]


@dataclass(frozen=True, slots=True)
class ClaimHead:
    """A claim's identity, state and current version, without its lines."""

    id: int
    pcn: str
    state: str
    payer: str  # the payer's external id
    version_id: int
    total_charge: Decimal
    first_date_of_service: date
    visit_ids: tuple[str, ...]
