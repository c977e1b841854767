"""De-identification of note excerpts for feedback: what a therapist is shown of a note
has no patient name, date, id, address or phone number left in it.

Two passes. First every identifier the record itself holds (the patient's and the
subscriber's names, birth dates, member ids, patient id, street address and city) is
replaced wherever it appears, as a whole word and in any letter case. Then patterns catch
what the record does not list: every date (ISO and US forms), phone numbers, MRNs and
other long identifiers (letters and digits mixed, six characters or more), and street
addresses (a number followed by words and a street suffix).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ptrcm.domain.visits import Person, Visit

_PATTERNS = (
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "[date]"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "[date]"),
    (re.compile(r"\(?\b\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\b"), "[phone]"),
    (re.compile(r"\bMRN[\s#:]*\w+", re.IGNORECASE), "[id]"),
    (re.compile(
        r"\b\d{1,6}\s+(?:[A-Z][a-z]*\.?\s+){1,4}(?:St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ln|Lane"
        r"|Blvd|Boulevard|Ct|Court|Way|Pl|Place|Ter|Terrace|Cir|Circle|Pkwy|Hwy)\b\.?"),
     "[address]"),
    (re.compile(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{6,}\b", re.IGNORECASE), "[id]"),
)  # fmt: skip


def identifiers_of(visit: Visit) -> list[tuple[str, str]]:
    """(value, placeholder) for every identifier the visit record holds."""
    out: list[tuple[str, str]] = []
    people: list[Person] = [p for p in (visit.patient,) if p is not None]
    if visit.subscriber is not None:
        people.append(visit.subscriber.person)
    for p in people:
        out += [(p.first_name, "[name]"), (p.last_name, "[name]")]
        if p.birth_date is not None:
            born = p.birth_date
            forms = (born.isoformat(), f"{born.month}/{born.day}/{born.year}",
                     f"{born.month:02d}/{born.day:02d}/{born.year}")  # fmt: skip
            out += [(form, "[date]") for form in forms]
        if p.address is not None:
            out += [(p.address.line1, "[address]"), (p.address.city, "[city]")]
            if p.address.line2:
                out.append((p.address.line2, "[address]"))
    for value in (visit.member_id, visit.patient_id,
                  visit.secondary.member_id if visit.secondary else None):  # fmt: skip
        if value:
            out.append((value, "[id]"))
    return [(v.strip(), tag) for v, tag in out if v and v.strip()]


def deidentify(text: str, identifiers: Iterable[tuple[str, str]] = ()) -> str:
    """``text`` with the identifiers, then every date, phone, id and address, replaced."""
    # Longest first, so "12 Oak Ave" goes before "Oak" could split it.
    for value, tag in sorted(set(identifiers), key=lambda x: -len(x[0])):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", tag, text, flags=re.IGNORECASE)
    for pattern, tag in _PATTERNS:
        text = pattern.sub(tag, text)
    return text
