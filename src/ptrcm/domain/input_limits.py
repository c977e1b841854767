"""The limits every input file is held to, in one place (docs/input-limits.md explains each).

Text lengths are the maximum lengths of the X12 5010 data elements the value ends up in
(the element dictionary of ASC X12 005010, as shipped in pyx12's ``map/dataele.xml``): a
value that passes here fits the 837 we write and the store column it is kept in. Numbers
are capped by what a day can hold (1,440 minutes) or by what a billing system can defend,
far below the 32-bit integer columns of the store, so SQLite and PostgreSQL accept the
same input. JSON itself is bounded (record size, nesting depth, integer digits, finite
numbers) before any field is read, because the JSON decoder's own limits surface as
exceptions (``RecursionError``; ``ValueError`` past 4,300 digits) rather than problems.

Everything here is pure: callers turn a returned message into a ``RecordProblem``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

# --- Identifiers and text (characters) -------------------------------------------------
ID_MAX = 64  # visit, patient, payer, location, appointment ids: the store's external_id
LAST_NAME_MAX = 60  # NM103 Name Last or Organization Name (element 1035)
FIRST_NAME_MAX = 35  # NM104 Name First (element 1036)
PROVIDER_NAME_MAX = 60  # a provider's full name, written as NM103/NM104 (1035)
ORGANIZATION_NAME_MAX = 60  # payer and location names, NM103 (1035)
MEMBER_ID_MAX = 80  # NM109 Identification Code (element 67)
REFERENCE_MAX = 50  # REF02 Reference Identification (127): prior authorization, group
ADDRESS_LINE_MAX = 55  # N301/N302 Address Information (element 166)
CITY_MAX = 30  # N401 City Name (element 19)
CLAIM_ID_MAX = 38  # CLM01 Claim Submitter's Identifier (element 1028)
TIMEZONE_MAX = 64  # an IANA zone name
CODE_TEXT_MAX = 32  # short codes: credential, class, status, relationship
EXCERPT_MAX = 40  # the most of a bad value an error message quotes

# --- Numbers ---------------------------------------------------------------------------
MINUTES_PER_DAY = 1440  # per service, per assistant share and per visit total
UNITS_MAX = 99  # billed units of one line: above the 96 fifteen-minute units a day holds
SERVICES_MAX = 50  # service lines of one visit: the 837P's 2400 loop repeats at most 50 times
VISIT_COUNT_MAX = 999  # visit numbers, visits authorized/used/planned, benefit limits
MONEY_MAX = Decimal("9999999.99")  # an amount in a visit file (the store keeps 12,2)
INTEGER_DIGITS_MAX = 18  # any integer anywhere in a JSON record (fits a 64-bit column)

# --- Dates -----------------------------------------------------------------------------
EARLIEST_DATE = date(1900, 1, 1)  # no date in a file is earlier (birth dates included)
LATEST_DATE = date(2099, 12, 31)  # nor later; dates of service are also <= the as-of day

# --- JSON ------------------------------------------------------------------------------
RECORD_BYTES_MAX = 65_536  # one JSON Lines record (a visit, an appointment)
DOCUMENT_BYTES_MAX = 64 * 1024 * 1024  # one whole JSON document (a master-data file)
JSON_DEPTH_MAX = 16  # nested objects/arrays in any record (a visit needs 4)
STRING_MAX = 4096  # any string in a record, kept unknown keys included

_INT_BOUND = 10**INTEGER_DIGITS_MAX
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TREE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # free text may hold \t\n\r
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class JsonLimitError(ValueError):
    """JSON text outside the limits above: the message says which, without quoting the
    value, and ``field`` names where (``services[0].minutes``) when that is known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class _Oversized:
    """Stands in for an integer of too many digits until the walk reports its path."""


def _parse_int(text: str) -> object:
    return _Oversized() if len(text.lstrip("-")) > INTEGER_DIGITS_MAX else int(text)


def _parse_float(text: str) -> object:
    value = float(text)
    return _Oversized() if value in (float("inf"), float("-inf")) else value


def _parse_constant(name: str) -> float:
    raise JsonLimitError(f"holds {name}, which is not a JSON number")


def decode_json(text: str, *, max_bytes: int = RECORD_BYTES_MAX) -> Any:
    """The decoded JSON value of ``text`` within the limits, else ``JsonLimitError``.

    ``json.JSONDecodeError`` (a subclass of ``ValueError``) still reports bad syntax; callers
    catch ``ValueError`` for both.
    """
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise JsonLimitError(f"is longer than {max_bytes:,} bytes")
    try:
        value = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except RecursionError:
        raise JsonLimitError(f"nests deeper than {JSON_DEPTH_MAX} levels") from None
    found = tree_problem(value)
    if found is not None:
        raise JsonLimitError(found[1], found[0])
    return value


def _child_path(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = key if isinstance(key, str) and key.isidentifier() else "<key>"
    return f"{path}.{name}" if path else name


def tree_problem(value: object) -> tuple[str | None, str] | None:
    """(field path, what is wrong) for the first defect of a decoded JSON value as a whole
    (depth, numbers, strings), or None. Walks without recursion, so a hostile value cannot
    exhaust the stack.
    """
    stack: list[tuple[object, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        where = path or None
        if isinstance(item, dict | list):
            if depth > JSON_DEPTH_MAX:
                return where, f"nests deeper than {JSON_DEPTH_MAX} levels"
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str) and (problem := _string_problem(key)):
                    return where, f"has a key that {problem}"
                stack.append((child, depth + 1, _child_path(path, key)))
        elif isinstance(item, _Oversized) or (
            isinstance(item, int) and abs(item) >= 10**INTEGER_DIGITS_MAX
        ):
            return where, f"is a number too large (more than {INTEGER_DIGITS_MAX} digits)"
        elif isinstance(item, str) and (problem := _string_problem(item)):
            return where, problem
    return None


def _string_problem(text: str) -> str | None:
    if len(text) > STRING_MAX:
        return f"is longer than {STRING_MAX:,} characters"
    if _SURROGATE.search(text):
        return "holds an unpaired surrogate (not Unicode text)"
    if _TREE_CONTROL.search(text):
        return "holds a control character (NUL included)"
    return None


def text_problem(text: str, max_len: int) -> str | None:
    """What is wrong with the text of one field (length, control characters), or None."""
    if len(text) > max_len:
        return f"is longer than {max_len} characters"
    if _SURROGATE.search(text):
        return "holds an unpaired surrogate (not Unicode text)"
    if _CONTROL.search(text):
        return "holds a control character (a line break, tab or NUL)"
    return None


def date_problem(day: date) -> str | None:
    """Whether a date lies outside the window any date in a file may take."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
    return None


def excerpt(value: object) -> str:
    """A short, escaped quotation of a bad value: one line, at most ``EXCERPT_MAX`` chars.

    Only for fields that carry no patient data; PHI fields are never quoted.
    """
    if isinstance(value, str | int | float | bool) or value is None:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
            return "a number too large"
        text = ascii(value)
    elif isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = type(value).__name__
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 3] + "..."


def bounded_key(text: str, limit: int = ID_MAX) -> str:
    """``text`` when it fits ``limit`` characters, else a prefix and a short hash of it, so
    distinct long keys stay distinct (a provider keyed by credential and name)."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{text[: limit - 11]}~{digest}"
