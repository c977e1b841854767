"""Small 835 element readers shared by the reader and its tests: CAS triplets, procedures."""

from __future__ import annotations

from ptrcm.x12.remit_model import Adjustment, Procedure
from ptrcm.x12.values import ValueCache, parse_quantity

ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})
_TRIPLET_STARTS = (2, 5, 8, 11, 14, 17)


def adjustments_of(seg: list[str], cache: ValueCache) -> list[Adjustment]:
    """Every reason/amount/quantity triplet of one CAS segment (up to six)."""
    group = seg[1]
    if group not in ADJUSTMENT_GROUPS:
        raise ValueError(f"CAS01 {group!r} is not an adjustment group (CO, CR, OA, PI, PR)")
    found: list[Adjustment] = []
    size = len(seg)
    for start in _TRIPLET_STARTS:
        if start >= size:
            break
        reason = seg[start]
        if not reason:
            continue
        if start + 1 >= size or not seg[start + 1]:
            raise ValueError(f"CAS reason {reason!r} has no amount")
        quantity = seg[start + 2] if start + 2 < size else ""
        found.append(
            Adjustment(
                group,
                reason,
                cache.amount(seg[start + 1]),
                parse_quantity(quantity) if quantity else None,
            )
        )
    if not found:
        raise ValueError("CAS has no reason/amount triplet")
    return found


def procedure_of(text: str, component: str) -> Procedure:
    """A composite procedure identifier: qualifier, code, up to four modifiers."""
    parts = text.split(component)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError(f"procedure {text!r} needs a qualifier and a code")
    return Procedure(parts[0], parts[1], tuple(m for m in parts[2:6] if m))
