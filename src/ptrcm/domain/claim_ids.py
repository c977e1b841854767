"""Claim ids: the 837 CLM01 patient control number, derived from the visit id so that
building the same visit twice gives the same id and a remittance can be matched back."""

from __future__ import annotations

import hashlib
import re

# Room left for the "-N" suffix a split claim gets (837P allows 50 lines per claim).
CLAIM_ID_BASE_MAX = 17
_UNSAFE = re.compile(r"[^A-Z0-9-]")
# The visit ids ``claim_id_for`` returns unchanged, as a regular expression that Python and
# PostgreSQL read alike (characters spelled out, not a range; ``\A``/``\Z``, not ``^``/``$``):
# the store matches those visits to their claims in SQL, and only the others in Python.
KEPT_AS_CLAIM_ID = rf"\A[ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-]{{1,{CLAIM_ID_BASE_MAX}}}\Z"


def claim_id_for(visit_id: str) -> str:
    """The patient control number for a visit: the visit id itself when it is X12-safe
    (letters, digits, hyphen) and at most 17 characters, otherwise a cleaned prefix plus
    a short hash of the full id, so distinct visit ids keep distinct claim ids."""
    cleaned = _UNSAFE.sub("", visit_id.upper())
    if cleaned == visit_id and 0 < len(cleaned) <= CLAIM_ID_BASE_MAX:
        return cleaned
    digest = hashlib.sha256(visit_id.encode("utf-8")).hexdigest()[:6].upper()
    return f"{cleaned[: CLAIM_ID_BASE_MAX - 7]}-{digest}" if cleaned else f"V-{digest}"
