"""Finding a patient: the search key of a name, the query a front desk or biller types, and
what one hit shows.

A name is matched on its *key*: letters folded to lower case without accents ("José
García-López" is ``jose garcia lopez``), apostrophes dropped (``obrien`` for O'Brien), any
other mark a word break. The store keeps the key of each first and last name beside the
name (migration 0014), so a prefix search is one indexed ``LIKE 'garc%'`` on both SQLite
and PostgreSQL, with the same result on each: no collation or extension decides it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ptrcm.errors import InputError

MAX_PAGE_SIZE = 100
MAX_QUERY = 80
# Letters NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                       "þ": "th", "ı": "i", "ŀ": "l"})  # fmt: skip
_APOSTROPHES = "'’‘`´ʼ"


def name_key(text: str | None) -> str | None:
    """The search key of a name: accents and case folded, words split on anything but a
    letter or digit, apostrophes dropped; ``None`` when nothing is left."""
    if text is None:
        return None
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD)
    chars = []
    for ch in folded:
        if unicodedata.combining(ch) or ch in _APOSTROPHES:
            continue
        chars.append(ch if ch.isalnum() and ch.isascii() else " ")
    key = " ".join("".join(chars).split())
    return key or None


@dataclass(frozen=True, slots=True)
class NameTerms:
    """What a typed name means, as words each of which must start a word of a name.

    "garcia, mar" is written last name first: ``last`` words are matched against the last
    name and ``first`` words against the first name. Anything else ("maria garc", "garc")
    puts every word in ``either``: each must start a word of the first or the last name.
    """

    last: tuple[str, ...] = ()
    first: tuple[str, ...] = ()
    either: tuple[str, ...] = ()


def name_terms(text: str) -> NameTerms | None:
    """The words of a typed name, or ``None`` when it holds no letter or digit."""
    if "," in text:
        last, _, first = text.partition(",")
        last_key, first_key = name_key(last), name_key(first)
        if last_key and first_key:
            return NameTerms(last=tuple(last_key.split()), first=tuple(first_key.split()))
    key = name_key(text)
    return None if key is None else NameTerms(either=tuple(key.split()))


def _clean_id(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_QUERY or not cleaned.isprintable():
        raise InputError.one("search", None, field, f"at most {MAX_QUERY} printable characters")
    return cleaned


def parse_birth_date(text: str | None) -> date | None:
    """``YYYY-MM-DD`` or ``MM/DD/YYYY`` (how a birth date is written at a US front desk)."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    for form in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    raise InputError.one("search", None, "birth_date", "a date as YYYY-MM-DD or MM/DD/YYYY")


@dataclass(frozen=True, slots=True)
class PatientQuery:
    """Criteria, all of which a patient must meet, and the page wanted (1-based)."""

    name: str | None = None
    birth_date: date | None = None
    member_id: str | None = None
    mrn: str | None = None  # the EMR's patient id, the patient's account number here
    page: int = 1
    size: int = 25

    def __post_init__(self) -> None:
        object.__setattr__(self, "member_id", _clean_id(self.member_id, "member_id"))
        object.__setattr__(self, "mrn", _clean_id(self.mrn, "mrn"))
        if self.name is not None and len(self.name) > MAX_QUERY:
            raise InputError.one("search", None, "name", f"at most {MAX_QUERY} characters")
        if self.name is not None and name_terms(self.name) is None:
            object.__setattr__(self, "name", None)
        if not (self.name or self.birth_date or self.member_id or self.mrn):
            raise InputError.one(
                "search", None, "query", "give a name, birth date, member id or MRN"
            )
        if self.page < 1:
            raise InputError.one("search", None, "page", "pages start at 1")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise InputError.one("search", None, "size", f"between 1 and {MAX_PAGE_SIZE}")

    @property
    def terms(self) -> NameTerms | None:
        return None if self.name is None else name_terms(self.name)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True, slots=True)
class PatientHit:
    """One patient found: enough to tell two Maria Garcias apart, nothing more."""

    mrn: str
    first_name: str | None
    last_name: str | None
    birth_date: date | None
    city: str | None
    payer: str | None  # the primary coverage's payer, else the latest visit's
    member_id: str | None
    last_visit: date | None
    balance: Decimal  # the ledger's patient balance

    @property
    def display_name(self) -> str:
        return ", ".join(p for p in (self.last_name, self.first_name) if p) or self.mrn


@dataclass(frozen=True, slots=True)
class PatientPage:
    hits: tuple[PatientHit, ...]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))
