"""A synthetic clinic exported to HL7 DFT, FHIR NDJSON and CSV imports to the same visits,
units and claims as its JSONL (SQLite and PostgreSQL); importing again changes nothing;
a changed visit is updated, or refused once its claim was sent; malformed messages are
quarantined and the rest import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from ptrcm.bootstrap import build_context
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.interfaces.csv_read import load_mapping
from ptrcm.interfaces.csv_write import mapping_toml, write_csv_export
from ptrcm.interfaces.emr_import import import_csv, import_fhir, import_hl7
from ptrcm.interfaces.fhir_write import write_ndjson_export
from ptrcm.interfaces.hl7_write import dft_segments, write_dft_file
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.building import build_claim
from ptrcm.services.claims.charging import charge_visit
from ptrcm.services.intake.visits import ImportResult, import_visits
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from tests.unit.interfaces.clinic import synthetic_clinic

Importer = Callable[..., ImportResult]


def _stored(store: Store, org: int) -> tuple[list[Visit], list[list[dict[str, Any]]]]:
    with store.unit_of_work(org, "test") as uow:
        ids = uow.visits.visit_ids()
        got = [uow.visits.get(i) for i in ids]
        rows = [
            [{k: v for k, v in r.items() if k not in ("id", "visit_id", "org_id", "created_at")}
             for r in uow.visits.services(i)]
            for i in ids
        ]  # fmt: skip
    assert all(v is not None for v in got)
    return [v for v in got if v is not None], rows


def _stored_claims(store: Store, org: int) -> tuple[Any, list[Any]]:
    """Claims built in the store for every visit of ``org``: what was built and each
    stored claim without its database ids."""
    ctx = build_context()
    uow = partial(claims_unit_of_work, store, org, "t")
    result = lifecycle.build_claims(uow, ctx.config, ctx.catalog)
    with uow() as work:
        stored = work.claims.by_pcn([*result.built, *result.held])
    rows = [
        (c.pcn, c.patient_external_id, c.payer_external_id, c.state, c.total_charge,
         c.first_date_of_service, dict(c.document),
         [(ln.line_number, ln.code, ln.modifiers, ln.units, ln.charge, ln.dx_pointers)
          for ln in c.lines])
        for _, c in sorted(stored.items())
    ]  # fmt: skip
    built = (sorted(result.built), result.self_pay, sorted(result.not_billable))
    return built, rows


def _exports(folder: Path, visits: list[Visit]) -> dict[str, Callable[..., ImportResult]]:
    write_dft_file(visits, folder / "run.hl7")
    write_ndjson_export(visits, folder / "fhir")
    write_csv_export(visits, folder / "run.csv")
    (folder / "m.toml").write_text(mapping_toml(), encoding="utf-8")
    mapping = load_mapping(folder / "m.toml")
    return {
        "hl7": partial(import_hl7, path=folder / "run.hl7"),
        "fhir": partial(import_fhir, path=folder / "fhir"),
        "csv": partial(import_csv, path=folder / "run.csv", mapping=mapping),
    }


def test_every_format_imports_the_same_visits_units_and_claims(
    store: Store, tmp_path: Path
) -> None:
    jsonl, visits = synthetic_clinic(tmp_path)
    ctx = build_context()
    payers = ctx.config.payers
    base = store.create_organization("jsonl")
    assert import_visits(partial(store.unit_of_work, base, "t"), jsonl, payers=payers).inserted
    expected, expected_rows = _stored(store, base)
    assert len(expected) == len(visits)
    claims = [build_claim(v, ctx.config, ctx.catalog) for v in expected]
    stored_claims = _stored_claims(store, base)
    assert stored_claims[0][0], "the clinic bills some claims"
    units = [charge_visit(v, ctx.config, ctx.catalog).lines for v in expected]
    for name, importer in _exports(tmp_path, visits).items():
        org = store.create_organization(name)
        uow = partial(store.unit_of_work, org, "t")
        first = importer(uow, payers=payers)
        assert (first.inserted, first.updated, first.quarantined) == (len(visits), 0, 0), name
        got, rows = _stored(store, org)
        assert got == expected, name
        assert rows == expected_rows, name
        assert [build_claim(v, ctx.config, ctx.catalog) for v in got] == claims, name
        assert [charge_visit(v, ctx.config, ctx.catalog).lines for v in got] == units, name
        assert _stored_claims(store, org) == stored_claims, name
        again = importer(uow, payers=payers)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(visits)), name


def test_a_changed_message_updates_its_visit(store: Store, tmp_path: Path) -> None:
    _, visits = synthetic_clinic(tmp_path, patients=6)
    org = store.create_organization("hl7")
    uow = partial(store.unit_of_work, org, "t")
    payers = build_context().config.payers
    write_dft_file(visits, tmp_path / "a.hl7")
    import_hl7(uow, tmp_path / "a.hl7", payers=payers)
    first = visits[0]
    longer = replace(first, services=(replace(first.services[0], minutes=44), *first.services[1:]))
    write_dft_file([longer, *visits[1:]], tmp_path / "b.hl7")
    result = import_hl7(uow, tmp_path / "b.hl7", payers=payers)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, len(visits) - 1)
    with store.unit_of_work(org, "t") as work:
        stored = work.visits.get(first.visit_id)
    assert stored is not None and stored.services[0].minutes == 44


def _malformed_file(path: Path, visits: list[Visit]) -> list[str]:
    """Six good messages and four bad ones: no PID, a bad segment, an unknown code system,
    wrong encoding characters. Returns the visit ids of the bad ones."""
    messages = [dft_segments(v, f"C{i}") for i, v in enumerate(visits[:10])]
    messages[1] = [s for s in messages[1] if not s.startswith("PID")]
    messages[3].insert(3, "this line is no segment")
    messages[5] = [s.replace("^^CPT4", "^^LN", 1) if s.startswith("FT1") else s
                   for s in messages[5]]  # fmt: skip
    messages[7][0] = messages[7][0].replace("MSH|^~\\&", "MSH|^~#&", 1)
    path.write_text("\n".join("\n".join(m) for m in messages) + "\n", encoding="utf-8")
    return [visits[i].visit_id for i in (1, 3, 5, 7)]


def test_malformed_messages_are_quarantined_and_the_rest_import(
    store: Store, tmp_path: Path
) -> None:
    _, visits = synthetic_clinic(tmp_path, patients=12)
    bad_ids = _malformed_file(tmp_path / "mixed.hl7", visits)
    org = store.create_organization("hl7")
    uow = partial(store.unit_of_work, org, "t")
    payers = build_context().config.payers
    with pytest.raises(InputError) as caught:  # all or nothing without --quarantine
        import_hl7(uow, tmp_path / "mixed.hl7", payers=payers)
    assert len(caught.value.problems) == 4
    with store.unit_of_work(org, "t") as work:
        assert work.visits.count() == 0
    result = import_hl7(uow, tmp_path / "mixed.hl7", quarantine=True, payers=payers)
    assert (result.inserted, result.quarantined) == (6, 4)
    with store.unit_of_work(org, "t") as work:
        kept = work.quarantine.items("visit")
        assert sorted(work.visits.visit_ids()) == sorted(
            v.visit_id for v in visits[:10] if v.visit_id not in bad_ids
        )
    reasons = [str(p) for p in result.problems]
    assert any("field PID: the message has no PID" in r for r in reasons)
    assert any("a line that is not an HL7 segment" in r for r in reasons)
    assert any("FT1[1]-7: unknown code system LN" in r for r in reasons)
    assert any("MSH-2: the encoding characters must be" in r for r in reasons)
    assert len(kept) == 4 and all(k["line"] for k in kept)
    for v in visits[:10]:
        assert v.patient is None or all(v.patient.last_name not in r for r in reasons)


def test_a_bad_resource_or_row_is_quarantined_and_the_rest_import(
    store: Store, tmp_path: Path
) -> None:
    _, visits = synthetic_clinic(tmp_path, patients=6)
    payers = build_context().config.payers
    write_ndjson_export(visits, tmp_path / "fhir")
    enc = tmp_path / "fhir" / "Encounter.ndjson"
    lines = enc.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"subject":{"reference":"Patient/', '"subject":{"reference":"X/')
    enc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_csv_export(visits, tmp_path / "run.csv")
    rows = (tmp_path / "run.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(visits[0].date_of_service.isoformat(), "someday", 1)
    (tmp_path / "run.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(mapping_toml(), encoding="utf-8")
    mapping = load_mapping(tmp_path / "m.toml")
    for name, importer in (
        ("fhir", partial(import_fhir, path=tmp_path / "fhir")),
        ("csv", partial(import_csv, path=tmp_path / "run.csv", mapping=mapping)),
    ):
        org = store.create_organization(name)
        uow = partial(store.unit_of_work, org, "t")
        with pytest.raises(InputError):
            importer(uow, payers=payers)
        result = importer(uow, quarantine=True, payers=payers)
        assert (result.inserted, result.quarantined) == (len(visits) - 1, 1), name
        with store.unit_of_work(org, "t") as work:
            [kept] = work.quarantine.items("visit")
            assert work.visits.get(visits[0].visit_id) is None
        assert kept["record_id"] == visits[0].visit_id and kept["line"] in (1, 2), name
