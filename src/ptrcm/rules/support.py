"""Small shared helpers for the rule modules: claim lines by code, therapy codes, flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.codes import Catalog
from ptrcm.rules.engine import ScrubContext

DISCIPLINE_MODIFIERS = frozenset({"GP", "GO", "GN"})
ASSISTANT_MODIFIERS = frozenset({"CQ", "CO"})


def lines_by_code(ctx: ScrubContext) -> dict[str, ClaimLine]:
    """The claim line of each code (one line per code per date of service)."""
    return {line.code: line for line in ctx.charges.lines}


def line_number(ctx: ScrubContext, code: str) -> int | None:
    for line in ctx.charges.lines:
        if line.code == code:
            return line.line_number
    return None


def is_therapy_code(catalog: Catalog, code: str) -> bool:
    """A code a therapist furnishes under a plan of care (the charge builder adds GP/GO/GN)."""
    info = catalog.get(code)
    return info is not None and bool(info.disciplines)


def of_discipline(catalog: Catalog, code: str, discipline: str) -> bool:
    """A therapy code the catalog lists for ``discipline`` (97161 PT, 92507 SLP ...)."""
    info = catalog.get(code)
    return info is not None and discipline in info.disciplines


def unverified_note(row: Mapping[str, Any]) -> str:
    """A suffix telling the reader the pack row is not confirmed against primary text."""
    return (
        " (pack data marked unverified [U]; confirm with the payer)"
        if row.get("confidence") == "U"
        else ""
    )


def index_rows(rows: object, key: str) -> dict[str, Mapping[str, Any]]:
    """Rows of a table parameter keyed by one of their fields (last row wins)."""
    if not isinstance(rows, tuple | list):
        return {}
    return {str(row[key]): row for row in rows if isinstance(row, Mapping) and key in row}
