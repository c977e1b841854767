"""The claim-version rules hold for visits from an EMR: a changed HL7 message or FHIR
Encounter for a visit whose claim was sent is refused (or quarantined), never written
over what was billed; the same message unchanged changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.errors import InputError
from ptrcm.interfaces.emr_import import import_fhir, import_hl7
from ptrcm.interfaces.fhir_write import write_ndjson_export
from ptrcm.interfaces.hl7_write import write_dft_file
from tests.integration.store.test_billed_visit_reimport import (
    AS_OF,
    _record,
    _stored,
    billed,  # the fixture: V-1 billed and submitted
)

__all__ = ["billed"]


def test_a_changed_message_for_a_sent_claim_is_refused(billed: Any, tmp_path: Path) -> None:
    before = _stored(billed, "V-1")
    changed = parse_visit(_record("V-1", services=[{"code": "97530", "minutes": 45}],
                                  total_timed_minutes=45))  # fmt: skip
    write_dft_file([changed], tmp_path / "c.hl7")
    with pytest.raises(InputError) as caught:
        import_hl7(billed, tmp_path / "c.hl7", as_of=AS_OF)
    assert "field PV1-19 (visit_id): claim V-1 (submitted)" in str(caught.value)
    assert _stored(billed, "V-1") == before
    kept = import_hl7(billed, tmp_path / "c.hl7", quarantine=True, as_of=AS_OF)
    assert (kept.inserted, kept.updated, kept.quarantined) == (0, 0, 1)
    write_ndjson_export([changed], tmp_path / "fhir")
    with pytest.raises(InputError, match=r"Encounter\.id \(visit_id\): claim V-1"):
        import_fhir(billed, tmp_path / "fhir", as_of=AS_OF)
    assert _stored(billed, "V-1") == before


def test_the_same_message_for_a_sent_claim_changes_nothing(billed: Any, tmp_path: Path) -> None:
    before = _stored(billed, "V-1")
    write_dft_file([parse_visit(_record("V-1"))], tmp_path / "same.hl7")
    result = import_hl7(billed, tmp_path / "same.hl7", as_of=AS_OF)
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    assert _stored(billed, "V-1") == before
