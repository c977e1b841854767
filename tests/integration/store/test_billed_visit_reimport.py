"""Re-importing a visit whose claim was sent, on SQLite and PostgreSQL: unchanged changes
nothing; changed is refused (exit 2, or quarantined), never written over what was billed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ptrcm.bootstrap import build_context
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.errors import InputError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork, claims_unit_of_work
from ptrcm.store.repository import Store
from tests.integration.store.visit_records import visit

AS_OF = date(2026, 3, 10)


def _record(visit_id: str, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "diagnoses": ["M54.16"],
        "services": [{"code": "97110", "minutes": 30, "units": 2, "modifiers": ["GP"]}],
        "total_timed_minutes": 30,
        "total_treatment_minutes": 35,
        "patient": {"first_name": "Ida", "last_name": "Test", "birth_date": "1950-04-01",
                    "sex": "F", "address": {"line1": "1 Elm St", "city": "Springfield",
                                            "state": "IL", "zip": "62701"}},
    }  # fmt: skip
    return visit(visit_id, **(fields | changes))


def _write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def billed(store: Store, tmp_path: Path) -> Any:
    """V-1 billed and submitted in an 837 (V-2 imported, not billed); the unit-of-work factory."""
    ctx = build_context()
    org = store.ensure_organization("default")

    def uow() -> ClaimsUnitOfWork:
        return claims_unit_of_work(store, org, "tester")

    import_visits(uow, _write(tmp_path / "v1.jsonl", _record("V-1")), as_of=AS_OF)
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog)
    assert built.built == ["V-1"], built.not_billable
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), AS_OF)
    scrubbed = lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog)
    for pcn in scrubbed.held:
        lifecycle.release_claim(uow, pcn, "reviewed by the biller")
    [batch] = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, tmp_path / "outbox")
    assert batch.claims == ("V-1",)
    import_visits(uow, _write(tmp_path / "v2.jsonl", _record("V-2")), as_of=AS_OF)
    return uow


def _stored(uow: Any, visit_id: str) -> Any:
    with uow() as u:
        return u.visits.get(visit_id), u.visits.services(visit_id), u.claims.by_pcn(["V-1"])


def _mark_paid(uow: Any) -> None:
    with uow() as u:
        [head] = [h for h in u.lifecycle.claims_in() if h.pcn == "V-1"]
        step = apply_event(head.pcn, ClaimState(head.state), ClaimEvent.PAID_IN_FULL, "835",
                           u.clock())  # fmt: skip
        u.lifecycle.record_transitions([(head.id, head.version_id, step)])
        u.commit()


@pytest.mark.parametrize("state", ["submitted", "paid"])
def test_a_changed_visit_whose_claim_was_sent_is_refused_and_nothing_is_written(
    billed: Any, tmp_path: Path, state: str
) -> None:
    if state == "paid":
        _mark_paid(billed)
    before = _stored(billed, "V-1")
    changed = _record("V-1", services=[{"code": "97530", "minutes": 45}], total_timed_minutes=45)
    other = _record("V-2", total_treatment_minutes=40)
    path = _write(tmp_path / "again.jsonl", other, changed)
    with pytest.raises(InputError) as caught:
        import_visits(billed, path, as_of=AS_OF)
    assert str(caught.value).startswith(f"{path}:2: field visit_id: claim V-1 ({state})")
    assert "corrected claim" in str(caught.value)
    assert _stored(billed, "V-1") == before
    with billed() as u:
        assert u.visits.get("V-2").total_treatment_minutes == 35  # the whole file rolled back
    kept = import_visits(billed, path, quarantine=True, as_of=AS_OF)
    assert (kept.inserted, kept.updated, kept.quarantined) == (0, 1, 1)
    assert _stored(billed, "V-1") == before
    with billed() as u:
        [item] = u.quarantine.items("visit")
    assert (item["line"], item["record_id"]) == (2, "V-1")


def test_a_billed_visit_reimported_unchanged_changes_nothing(billed: Any, tmp_path: Path) -> None:
    _mark_paid(billed)
    before = _stored(billed, "V-1")
    with billed() as u:
        events = len(u.audit.events("visits"))
    again = import_visits(billed, _write(tmp_path / "same.jsonl", _record("V-1")), as_of=AS_OF)
    assert (again.inserted, again.updated, again.unchanged, again.quarantined) == (0, 0, 1, 0)
    assert _stored(billed, "V-1") == before
    with billed() as u:
        assert len(u.audit.events("visits")) == events
