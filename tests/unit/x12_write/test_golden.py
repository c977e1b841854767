"""Golden 837 files: generated claims must match tests/golden/*.x12 byte for byte.

The clock and control numbers are fixed (factory.NOW, CounterControlNumbers()), so a
difference means the writer's output changed. After a deliberate change, review the diff
and regenerate with:

    PTRCM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/x12_write/test_golden.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.x12_write import factory as f
from tests.x12_oracle import pyx12_errors

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
UPDATE = os.environ.get("PTRCM_UPDATE_GOLDEN") == "1"


def _secondary() -> str:
    claim = f.claim(payer_id="COMMERCIAL", subscriber=f.SUBSCRIBER, member_id="SUPP123")
    return f.write_p([claim], f.billing(**{claim.claim_id: f.primary_adjudication(claim)}))


CASES: dict[str, Callable[[], str]] = {
    "837p_medicare_pt.x12": lambda: f.write_p([f.claim()]),
    "837p_commercial_child_telehealth.x12": lambda: f.write_p(
        [
            f.claim(
                payer_id="COMMERCIAL",
                place_of_service="10",
                member_id="XQZ123456",
                subscriber=dict(f.SUBSCRIBER, relationship="child"),
            )
        ]
    ),
    "837p_secondary_cob.x12": _secondary,
    "837i_hospital_outpatient_pt.x12": lambda: f.write_i([f.claim(payer_id="MEDICARE_HOPD")]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_claims_match_their_golden_file(name: str) -> None:
    text = CASES[name]()
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="ascii", newline="")
    assert path.exists(), f"missing {path}; run with PTRCM_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="ascii")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_golden_file_validates_with_pyx12(name: str) -> None:
    path = GOLDEN / name
    assert path.exists(), f"missing {path}; run with PTRCM_UPDATE_GOLDEN=1 to create it"
    assert pyx12_errors(path.read_text(encoding="ascii")) == []
