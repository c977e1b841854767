"""Segment-level model for transaction sets ptrcm reads but does not type (270, 276, 278)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """An 837P/837I file read by ``ptrcm.x12.claim837_read`` into claims."""

    source: str | None
    kind: str
    claims: tuple[object, ...]
    findings: tuple[Finding, ...] = ()
