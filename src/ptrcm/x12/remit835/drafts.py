"""The drafts of the 835 reader: a claim, a service line and an N1 party being read, with
the element readers that fill them (CAS triplets, procedures, element access)."""

from __future__ import annotations

from typing import Any

from ptrcm.x12.common import PersonName, Reference
from ptrcm.x12.remit835.model import (
    Adjustment,
    AmountEntry,
    DateEntry,
    Party,
    Procedure,
    QuantityEntry,
    Remark,
    ServicePayment,
)
from ptrcm.x12.values import ValueCache, parse_quantity

ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})
_TRIPLET_STARTS = (2, 5, 8, 11, 14, 17)
CARC_LENGTH = 5  # CAS02, 05, ...: a claim adjustment reason code is ID 1/5


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
        if len(reason) > CARC_LENGTH:
            raise ValueError(f"CAS reason {reason[:12]!r} is longer than {CARC_LENGTH} characters")
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


def get(seg: list[str], index: int) -> str:
    """Element ``index`` of a segment, "" when the segment is shorter."""
    return seg[index] if index < len(seg) else ""


def trimmed(items: list[str]) -> tuple[str, ...]:
    """The items without trailing empty strings."""
    end = len(items)
    while end and not items[end - 1]:
        end -= 1
    return tuple(items[:end])


class PartyDraft:
    """N1 loop being read (payer or payee): address, references, contacts."""

    __slots__ = ("address", "contacts", "place", "references", "seg")

    def __init__(self, seg: list[str]) -> None:
        self.seg = seg
        self.address: tuple[str, ...] = ()
        self.place: tuple[str, str, str] = ("", "", "")
        self.references: list[Reference] = []
        self.contacts: list[tuple[str, ...]] = []

    def build(self) -> Party:
        """The finished ``Party``."""
        s = self.seg
        return Party(
            s[1],
            get(s, 2),
            get(s, 3),
            get(s, 4),
            self.address,
            *self.place,
            references=tuple(self.references),
            contacts=tuple(self.contacts),
        )


class ClaimDraft:
    """A claim (or the header/party sink) being read: its parsed head and the lists segments
    fill."""

    __slots__ = (
        "adjustments",
        "amounts",
        "dates",
        "head",
        "index",
        "lines",
        "mia",
        "moa",
        "names",
        "quantities",
        "references",
        "remarks",
    )

    def __init__(self, head: Any, index: int) -> None:
        # head: the parsed CLP01-09 values, in ClaimPayment's field order
        self.head, self.index = head, index
        self.dates: list[DateEntry] = []
        self.adjustments: list[Adjustment] = []
        self.references: list[Reference] = []
        self.amounts: list[AmountEntry] = []
        self.quantities: list[QuantityEntry] = []
        self.remarks: list[Remark] = []
        self.names: list[PersonName] = []
        self.lines: list[ServicePayment] = []
        self.mia: tuple[str, ...] = ()
        self.moa: tuple[str, ...] = ()


class LineDraft:
    """A service line being read: fewer lists than a claim draft (allocated per line)."""

    __slots__ = ("adjustments", "amounts", "dates", "head", "index", "quantities", "references",
                 "remarks")  # fmt: skip

    def __init__(self, head: Any, index: int) -> None:
        # head: the parsed SVC01-07 values, in ServicePayment's field order
        self.head, self.index = head, index
        self.dates: list[DateEntry] = []
        self.adjustments: list[Adjustment] = []
        self.references: list[Reference] = []
        self.amounts: list[AmountEntry] = []
        self.quantities: list[QuantityEntry] = []
        self.remarks: list[Remark] = []
