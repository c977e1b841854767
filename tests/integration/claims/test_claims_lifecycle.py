"""The claim lifecycle on SQLite and PostgreSQL: build, scrub with fixes, release, submit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ptrcm.bootstrap import build_context
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.synth import SynthOptions, write_synth


def _setup(store: Store, tmp_path: Path) -> tuple[object, object]:
    visits = tmp_path / "v.jsonl"
    write_synth(SynthOptions(12, 1, seed=3, defect_rate=0.3), visits)
    org = store.ensure_organization("default")

    def uow():  # type: ignore[no-untyped-def]
        return claims_unit_of_work(store, org, "tester")

    import_visits(uow, visits)
    return uow, visits


def test_claims_move_through_the_lifecycle_with_every_transition_recorded(
    store: Store, tmp_path: Path
) -> None:
    ctx = build_context()
    uow, _ = _setup(store, tmp_path)
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert built.built
    assert lifecycle.build_claims(uow, ctx.config, ctx.catalog).built == []  # type: ignore[arg-type]
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2025, 11, 1))
    result = lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog, fix=True)  # type: ignore[arg-type]
    # claims held at build (a visit an 837 cannot carry) are scrubbed again with the rest
    assert result.scrubbed == len(built.built) + len(built.held)
    assert len(result.ready) + len(result.held) == len(built.built) + len(built.held)
    assert set(built.held) <= set(result.held)
    with uow() as u:  # type: ignore[operator]
        record = u.claims.by_pcn([result.ready[0]])[result.ready[0]]
        steps = [(t["from_state"], t["to_state"]) for t in u.claims.transitions(record.id)]
        assert all(
            t["actor"] == "tester" and t["occurred_at"] for t in u.claims.transitions(record.id)
        )
    assert steps[0] == (None, "built")
    assert steps[-2:] == [("built", "scrubbed"), ("scrubbed", "ready")] or steps[-1] == (
        "scrubbed", "ready")  # fmt: skip


def test_nothing_is_submitted_twice_and_control_numbers_are_unique(
    store: Store, tmp_path: Path
) -> None:
    ctx = build_context()
    uow, _ = _setup(store, tmp_path)
    lifecycle.build_claims(uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2025, 11, 1))
    result = lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog, fix=True)  # type: ignore[arg-type]
    outbox = tmp_path / "outbox"
    first = lifecycle.submit_claims(
        uow, ctx.config, ctx.catalog, outbox, through=date(2025, 10, 15)
    )  # type: ignore[arg-type]
    second = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, outbox)  # type: ignore[arg-type]
    again = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, outbox)  # type: ignore[arg-type]
    assert again == []
    sent = [p for b in (*first, *second) for p in b.claims]
    assert sorted(sent) == sorted(result.ready)
    assert len(set(sent)) == len(sent)
    isas = [b.isa for b in (*first, *second)]
    assert len(set(isas)) == len(isas)
    with uow() as u:  # type: ignore[operator]
        batches = u.claims.batches()
    assert sorted(b["file_name"] for b in batches) == sorted(p.name for p in outbox.glob("*.837"))
    assert len({b["gs_control"] for b in batches}) == len(batches)
    assert not list(outbox.glob("*.tmp"))


def test_a_held_claim_needs_a_reason_to_be_released(store: Store, tmp_path: Path) -> None:
    import pytest

    from ptrcm.errors import InputError

    ctx = build_context()
    uow, _ = _setup(store, tmp_path)
    lifecycle.build_claims(uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2026, 6, 1))  # late: held
    result = lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert result.held
    with pytest.raises(InputError):
        lifecycle.release_claim(uow, result.held[0], "  ")  # type: ignore[arg-type]
    lifecycle.release_claim(uow, result.held[0], "payer confirmed by phone")  # type: ignore[arg-type]
    with uow() as u:  # type: ignore[operator]
        record = u.claims.by_pcn([result.held[0]])[result.held[0]]
        last = u.claims.transitions(record.id)[-1]
    assert (last["to_state"], last["reason"]) == ("ready", "payer confirmed by phone")
    assert json.dumps(last["reason"])
