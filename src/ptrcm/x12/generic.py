"""Segment-level model for transaction sets ptrcm reads but does not type (270, 276, 278)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ptrcm.x12.errors import Finding


@dataclass(frozen=True, slots=True)
class GenericTransaction:
    """One transaction set as its segments (each a tuple: id, then elements)."""

    set_id: str
    version: str
    segments: tuple[tuple[str, ...], ...]
    control_number: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class GenericDocument:
    """A file of untyped transaction sets (270, 276, 278, or an 837 without its reader)."""

    source: str | None
    kind: str
    transactions: tuple[GenericTransaction, ...]
    findings: tuple[Finding, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class ClaimsDocument:
    """An 837P/837I file read by ``ptrcm.x12.claim837.read`` into claims.

    ``periods[i]`` is the service period of ``claims[i]``: its first and last day of
    service (a DTP*472 RD8 range counts to its through date).
    """

    source: str | None
    kind: str
    claims: tuple[object, ...]
    findings: tuple[Finding, ...] = ()
    periods: tuple[tuple[date, date], ...] = ()
