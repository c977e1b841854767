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

from ptrcm.errors import InvariantError

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
_FIELD_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # in one field's text
# In any string of a record (free text may hold tab and line breaks):
_TREE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Signs in the raw text that a decoded value may break a limit; without them the number
# or string checks cannot find anything. Raw control characters and surrogates cannot
# reach a string (the decoder refuses the first, UTF-8 text cannot hold the second); only
# escapes and DEL can.
_RAW_NUMBER_RISK = re.compile(r"[0-9]{19}|[eE][+-]?[0-9]{3}|NaN|Infinity")
_RAW_STRING_RISK = re.compile(r"\\u00[01]|\\u007[fF]|\\u[dD][89a-fA-F]|\\[bf]|\x7f")
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
    catch ``ValueError`` for both. The number and string checks run only when the raw text
    shows a sign of needing them, so an ordinary record decodes at the decoder's own speed.
    """
    too_long = len(text) > max_bytes or (  # a character takes at most 4 bytes in UTF-8
        len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes
    )
    if too_long:
        raise JsonLimitError(f"is longer than {max_bytes:,} bytes")
    numbers = _RAW_NUMBER_RISK.search(text) is not None
    try:
        if numbers:
            value = json.loads(
                text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
            )
        else:
            value = json.loads(text)
    except RecursionError:
        raise JsonLimitError(f"nests deeper than {JSON_DEPTH_MAX} levels") from None
    strings = len(text) > STRING_MAX or _RAW_STRING_RISK.search(text) is not None
    shallow = text.count("[") + text.count("{") <= JSON_DEPTH_MAX  # cannot nest too deep
    if shallow and not (strings or numbers):
        return value
    found = tree_problem(value, strings=strings, numbers=numbers)
    if found is not None:
        raise JsonLimitError(found[1], found[0])
    return value


def tree_problem(
    value: object, *, strings: bool = True, numbers: bool = True
) -> tuple[str | None, str] | None:
    """(field path, what is wrong) for the first defect of a decoded JSON value as a whole
    (depth, and unless told not to, numbers and strings), or None. Walks without recursion,
    so a hostile value cannot exhaust the stack; the path is worked out only for a defect.
    """
    scalars = strings or numbers  # otherwise only containers need a visit
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > JSON_DEPTH_MAX:
                return _located(value, strings=strings, numbers=numbers)
            for key, child in item.items() if isinstance(item, dict) else enumerate(item):
                if strings and isinstance(key, str) and _string_problem(key):
                    return _located(value, strings=strings, numbers=numbers)
                if scalars or isinstance(child, dict | list):
                    stack.append((child, depth + 1))
        elif (numbers and _number_problem(item)) or (
            strings and isinstance(item, str) and _string_problem(item)
        ):
            return _located(value, strings=strings, numbers=numbers)
    return None


def _number_problem(item: object) -> str | None:
    too_big = isinstance(item, _Oversized) or (isinstance(item, int) and abs(item) >= _INT_BOUND)
    return f"is a number too large (more than {INTEGER_DIGITS_MAX} digits)" if too_big else None


def _child_path(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = key if isinstance(key, str) and key.isidentifier() else "<key>"
    return f"{path}.{name}" if path else name


def _located(value: object, *, strings: bool, numbers: bool) -> tuple[str | None, str]:
    """The same walk as ``tree_problem``, keeping paths, for the defect it found."""
    stack: list[tuple[object, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        where = path or None
        if isinstance(item, dict | list):
            if depth > JSON_DEPTH_MAX:
                return where, f"nests deeper than {JSON_DEPTH_MAX} levels"
            for key, child in item.items() if isinstance(item, dict) else enumerate(item):
                if strings and isinstance(key, str) and (problem := _string_problem(key)):
                    return where, f"has a key that {problem}"
                stack.append((child, depth + 1, _child_path(path, key)))
        elif problem := _scalar_problem(item, strings=strings, numbers=numbers):
            return where, problem
    raise InvariantError("no defect to locate")  # only called once tree_problem found one


def _scalar_problem(item: object, *, strings: bool, numbers: bool) -> str | None:
    if numbers and (problem := _number_problem(item)):
        return problem
    return _string_problem(item) if strings and isinstance(item, str) else None


def _string_problem(text: str) -> str | None:
    if len(text) > STRING_MAX:
        return f"is longer than {STRING_MAX:,} characters"
    found = _TREE_BAD.search(text)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        return "holds an unpaired surrogate (not Unicode text)"
    return "holds a control character (NUL included)"


def text_problem(text: str, max_len: int) -> str | None:
    """What is wrong with the text of one field (length, control characters), or None."""
    if len(text) > max_len:
        return f"is longer than {max_len} characters"
    found = _FIELD_BAD.search(text)
    if found is None:
        return None
    if _SURROGATE.match(found.group()):
        return "holds an unpaired surrogate (not Unicode text)"
    return "holds a control character (a line break, tab or NUL)"


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
