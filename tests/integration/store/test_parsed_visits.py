"""Stored visits are parsed once per record text: rows holding the same text (the same visit
in two organizations) share one parse; a changed text is parsed afresh."""

from __future__ import annotations

import json

from sqlalchemy import create_engine

from ptrcm.store.parsed_visits import parsed_visit

RECORD = {
    "visit_id": "V-1",
    "patient_id": "P-1",
    "date_of_service": "2026-03-02",
    "payer_id": "COMMERCIAL",
    "discipline": "PT",
    "rendering": {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"},
    "diagnoses": ["M54.16"],
    "services": [{"code": "97110", "minutes": 30}],
}


def test_rows_with_the_same_text_share_one_parse_and_a_changed_text_is_parsed_again() -> None:
    engine = create_engine("sqlite://")
    text = json.dumps(RECORD)
    first = parsed_visit(engine, 1, text)
    assert parsed_visit(engine, 1, text) is first
    assert parsed_visit(engine, 2, "".join(text)) is first  # another row, the same text
    changed = json.dumps(RECORD | {"diagnoses": ["M54.17"]})
    again = parsed_visit(engine, 2, changed)
    assert again is not first and again.diagnoses == ("M54.17",)
    assert parsed_visit(engine, 1, text) is first
    engine.dispose()
