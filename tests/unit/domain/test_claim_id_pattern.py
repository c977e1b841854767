"""``KEPT_AS_CLAIM_ID`` matches exactly the visit ids ``claim_id_for`` leaves unchanged (the
store relies on it to match visits to their claims in SQL)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ptrcm.domain.claim_ids import KEPT_AS_CLAIM_ID, claim_id_for

SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"


def _kept(visit_id: str) -> bool:
    return re.search(KEPT_AS_CLAIM_ID, visit_id) is not None


@given(st.text(alphabet=SAFE + "abcz_.*~ \n\u00df\u0131", max_size=22))
def test_the_pattern_matches_the_ids_claim_id_for_keeps(visit_id: str) -> None:
    assert _kept(visit_id) == (claim_id_for(visit_id) == visit_id)


def test_edges_of_the_pattern() -> None:
    assert _kept("V-1001") and _kept("A" * 17)
    assert not _kept("A" * 18)  # too long: a cleaned prefix and a hash
    assert not _kept("")
    assert not _kept("V-1001\n")  # "$" would let a final newline through; "\Z" does not
    assert not _kept("v-1001") and not _kept("V_1001")
