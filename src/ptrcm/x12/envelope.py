"""Shared pieces of every X12 5010 file ptrcm writes: delimiters, element cleaning,
segment building, control numbers and the ISA/GS/ST envelope with correct counts.

Control numbers come from a ``ControlNumbers`` port so a file written today never reuses
yesterday's numbers once the store persists them; ``CounterControlNumbers`` is the
in-memory implementation (tests and single runs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from ptrcm.domain.money import Money

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
TERMINATOR = "~"
ISA_VERSION = "00501"
_NOT_SAFE = re.compile(r"[*:~^\r\n\t]|[^\x20-\x7e]")
_SPACES = re.compile(r" {2,}")


def clean(value: str | None) -> str:
    """An element value with delimiters and non-printable characters removed."""
    if not value:
        return ""
    return _SPACES.sub(" ", _NOT_SAFE.sub(" ", value)).strip()


def segment(*elements: str) -> str:
    """One segment (without terminator); trailing empty elements are dropped."""
    end = len(elements)
    while end > 1 and not elements[end - 1]:
        end -= 1
    return ELEMENT.join(elements[:end])


def composite(*components: str) -> str:
    """One composite element; trailing empty components are dropped."""
    end = len(components)
    while end > 1 and not components[end - 1]:
        end -= 1
    return COMPONENT.join(components[:end])


def amount(money: Money) -> str:
    """An X12 R (decimal) value: no trailing zeros after the point, "0" for zero."""
    value = money.amount
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return f"{value:f}".rstrip("0")


def d8(day: date) -> str:
    """A CCYYMMDD date."""
    return day.strftime("%Y%m%d")


def icd(code: str) -> str:
    """An ICD-10-CM code as X12 carries it: upper case, no decimal point."""
    return code.replace(".", "").strip().upper()


class ControlNumbers(Protocol):
    """Where interchange (ISA13), group (GS06) and transaction (ST02) numbers come from."""

    def next_interchange(self) -> int: ...

    def next_group(self) -> int: ...

    def next_transaction(self) -> int: ...


class CounterControlNumbers:
    """In-memory control numbers counting up from given starts (1 by default)."""

    def __init__(self, interchange: int = 1, group: int = 1, transaction: int = 1) -> None:
        self._next = {"isa": interchange, "gs": group, "st": transaction}

    def _take(self, key: str, limit: int) -> int:
        value = self._next[key]
        self._next[key] = 1 if value >= limit else value + 1
        return value

    def next_interchange(self) -> int:
        return self._take("isa", 999_999_999)

    def next_group(self) -> int:
        return self._take("gs", 999_999_999)

    def next_transaction(self) -> int:
        return self._take("st", 9999)


@dataclass(frozen=True, slots=True)
class EnvelopeSettings:
    """Who sends and who receives; ``usage`` is ISA15: P production, T test."""

    sender_id: str
    receiver_id: str
    submitter_name: str
    contact_name: str
    contact_phone: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    usage: str = "P"
    line_breaks: bool = True


@dataclass(frozen=True, slots=True)
class Transaction:
    """The segments of one transaction set between ST and SE."""

    set_id: str
    version: str
    body: Sequence[str]


def interchange(
    transactions: Sequence[Transaction],
    functional_id: str,
    version: str,
    settings: EnvelopeSettings,
    controls: ControlNumbers,
    now: datetime,
) -> str:
    """A whole file: one ISA/GS around the transactions, every count and number matched."""
    isa13 = controls.next_interchange()
    gs06 = controls.next_group()
    segs = [
        segment(
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            settings.sender_qualifier,
            clean(settings.sender_id)[:15].ljust(15),
            settings.receiver_qualifier,
            clean(settings.receiver_id)[:15].ljust(15),
            now.strftime("%y%m%d"),
            now.strftime("%H%M"),
            REPETITION,
            ISA_VERSION,
            f"{isa13:09d}",
            "0",
            settings.usage,
            COMPONENT,
        ),
        segment(
            "GS",
            functional_id,
            clean(settings.sender_id)[:15],
            clean(settings.receiver_id)[:15],
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            str(gs06),
            "X",
            version,
        ),
    ]
    for tx in transactions:
        st02 = f"{controls.next_transaction():04d}"
        segs.append(segment("ST", tx.set_id, st02, tx.version))
        segs.extend(tx.body)
        segs.append(segment("SE", str(len(tx.body) + 2), st02))
    segs.append(segment("GE", str(len(transactions)), str(gs06)))
    segs.append(segment("IEA", "1", f"{isa13:09d}"))
    sep = TERMINATOR + "\n" if settings.line_breaks else TERMINATOR
    return sep.join(segs) + sep
