"""Provider names for NM1 segments: last name (NM103) and first name (NM104).

Visit files carry a provider's name as one string, the way EMRs print it: "Ana Ruiz",
"Dr. Ana Ruiz, DPT", "Ruiz, Ana MD", "John Smith, PA-C". An 837 wants the person's
last and first name only (5010 837P/837I NM1 for the referring, rendering and
supervising providers: NM103 last name, NM104 first name); a credential is not part of
a name, so titles ("Dr.") and credentials ("MD", "DPT", "NP", ...) are removed.
"""

from __future__ import annotations

import re

from ptrcm.x12.envelope import clean

# Degrees and credentials seen after provider names (compared without dots, upper case).
CREDENTIALS = frozenset(
    {
        "MD", "DO", "DPT", "PT", "MPT", "MSPT", "PTA", "OT", "OTR", "OTR/L", "OTD", "OTA",
        "COTA", "COTA/L", "SLP", "CCC-SLP", "CCC", "SLPA", "NP", "FNP", "FNP-C", "FNP-BC",
        "ANP", "ARNP", "APRN", "DNP", "PA", "PA-C", "DC", "RN", "PHD", "MS", "MA", "MBA",
        "ATC", "CHT", "OCS", "SCS", "NCS", "GCS", "PCS", "CSCS", "FAAOMPT", "FACS", "FAAOS",
        "DPM", "OD", "MSN", "BSN", "CNS", "LAT",
    }
)  # fmt: skip
TITLES = frozenset({"DR", "MR", "MRS", "MS", "MX", "PROF"})
_SPLIT = re.compile(r"[\s]+")


def _key(token: str) -> str:
    return token.replace(".", "").strip().upper()


def _is_credential(token: str) -> bool:
    return _key(token) in CREDENTIALS


def _words(part: str) -> list[str]:
    return [w for w in _SPLIT.split(part.strip()) if w]


def person_name(full: str | None) -> tuple[str, str]:
    """(last, first) from a provider's name as a visit file carries it.

    "First [Middle] Last[, credentials]" and "Last, First [credentials]" are both read;
    titles before the name and credentials after it are dropped. A single word is the
    last name.
    """
    text = clean(full)
    if not text:
        return "", ""
    parts = [p for p in text.split(",") if p.strip()]
    named = [p for p in parts if not all(_is_credential(w) for w in _words(p))]
    if not named:
        return "", ""
    if len(named) >= 2 and len(_words(named[0])) == 1:
        last_words, first_words = _words(named[0]), _words(named[1])
    else:
        words = _words(named[0])
        while words and _key(words[0]) in TITLES:
            words = words[1:]
        while len(words) > 1 and _is_credential(words[-1]):
            words = words[:-1]
        if not words:
            return "", ""
        last_words, first_words = words[-1:], words[:-1]
    first_words = [w for w in first_words if not _is_credential(w)]
    while first_words and _key(first_words[0]) in TITLES:
        first_words = first_words[1:]
    return " ".join(last_words), " ".join(first_words)
