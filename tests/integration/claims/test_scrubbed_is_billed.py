"""What is scrubbed is what is billed, for every payer pack, on SQLite and PostgreSQL.

Visits with assistant minutes (PTA, OTA), telehealth, KX and 59 go through import, build,
scrub and submit. For each claim the lines the scrubber's rules were given, the SV1 lines
of the 837 written at submit (read back with our reader) and the stored claim lines must
be the same lines: code, modifiers, units and charge. A few lines are also checked
against the payer policy they must follow, so the three cannot agree on a wrong answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ptrcm.bootstrap import build_context
from ptrcm.domain.visits import Visit
from ptrcm.rules.catalog import all_rules
from ptrcm.rules.engine import Hit, Rule, ScrubContext, Severity
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.output import write_837_files
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visit_files import read_visits
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.x12.claim837.read import read_837

# One payer per shipped pack (the built-in configuration names them so).
PAYERS = {
    "MEDICARE": "medicare",
    "MEDICARE_ADV": "medicare_advantage",
    "MEDICAID": "medicaid",
    "COMMERCIAL": "commercial",
    "WORKERS_COMP": "workers_comp",
}
DAY = "2026-03-02"

Line = tuple[str, tuple[str, ...], int, str]  # code, modifiers, units, charge


def _record(payer: str, kind: str, n: int) -> dict[str, Any]:
    rendering = {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"}
    services: list[dict[str, Any]] = [{"code": "97110", "minutes": 30}]
    record: dict[str, Any] = {"discipline": "PT", "place_of_service": "11"}
    if kind in ("pta", "ota"):  # billed under the supervising therapist (MBPM ch. 15 §230.1)
        credential = "PT" if kind == "pta" else "OT"
        record["supervising"] = {"npi": "1234567893", "credential": credential, "name": "Ana Ruiz"}
    if kind == "pta":
        rendering = {"npi": "1245319599", "credential": "PTA", "name": "Lee Park"}
        services = [{"code": "97110", "minutes": 30, "assistant_minutes": 30},
                    {"code": "97140", "minutes": 10}]  # fmt: skip
    elif kind == "ota":
        rendering = {"npi": "1245319599", "credential": "OTA", "name": "Lee Park"}
        record["discipline"] = "OT"
        services = [{"code": "97530", "minutes": 38, "assistant_minutes": 20}]
    elif kind == "telehealth":
        record["place_of_service"] = "02"
        services = [{"code": "97110", "minutes": 25}, {"code": "97112", "minutes": 15}]
    elif kind == "kx":
        services = [{"code": "97110", "minutes": 30, "units": 2, "modifiers": ["GP", "KX"]}]
        record["kx_ytd_allowed"] = "2470.00"
    elif kind == "59":
        services = [{"code": "97140", "minutes": 15},
                    {"code": "97530", "minutes": 15, "modifiers": ["GP", "59"]}]  # fmt: skip
    return {
        "visit_id": f"V-{payer.replace('_', '')}-{n}",
        "patient_id": f"P-{payer}-{n}",
        "date_of_service": DAY,
        "payer_id": payer,
        "member_id": f"M{n:04d}X",
        "location_id": "MAIN",
        "rendering": rendering,
        "diagnoses": ["M54.16", "M62.81"],
        "services": services,
        "patient": {
            "first_name": "Test",
            "last_name": "Patient",
            "birth_date": "1960-05-01",
            "sex": "F",
            "address": {"line1": "1 Elm St", "city": "Springfield", "state": "IL", "zip": "62701"},
        },
        "plan_of_care": {
            "start": "2026-02-10",
            "certified_on": "2026-02-12",
            "through": "2026-05-10",
        },
        "episode_visit_number": 2,
        "last_progress_report_visit": 1,
        "authorization": {
            "number": "A1",
            "visits_authorized": 20,
            "visits_used": 1,
            "start": "2026-02-01",
            "end": "2026-06-30",
        },
        **record,
    }


KINDS = ("pta", "ota", "telehealth", "kx", "59")


def _write_visits(path: Path) -> dict[str, tuple[str, str]]:
    """The visit file; returns (payer, kind) by visit id."""
    records, cases = [], {}
    for payer in PAYERS:
        for n, kind in enumerate(KINDS, start=1):
            record = _record(payer, kind, n)
            records.append(record)
            cases[record["visit_id"]] = (payer, kind)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return cases


class _Checked:
    """A rule that fires on nothing and remembers the lines it was given, by visit."""

    def __init__(self) -> None:
        self.lines: dict[str, list[Line]] = {}

    def check(self, ctx: ScrubContext) -> Iterator[Hit]:
        self.lines[ctx.visit.visit_id] = [
            (ln.code, ln.modifiers, ln.units, str(ln.charge.amount)) for ln in ctx.charges.lines
        ]
        return iter(())

    def rule(self) -> Rule:
        return Rule("C999", "record the lines checked", Severity.INFO, "test", self.check, "-")


def _expected(payer: str, kind: str) -> dict[str, tuple[str, ...]]:
    """Modifiers the payer's policy gives the lines that show it (by code)."""
    cq = PAYERS[payer] in ("medicare", "medicare_advantage")  # packs requiring CQ/CO
    tele = "GT" if payer == "MEDICAID" else "95"  # each pack's first telehealth modifier
    return {
        "pta": {"97110": ("GP", "CQ") if cq else ("GP",), "97140": ("GP",)},
        "ota": {"97530": ("GO", "CO") if cq else ("GO",)},
        "telehealth": {"97110": ("GP", tele), "97112": ("GP", tele)},
        "kx": {"97110": ("GP", "KX")},
        "59": {"97140": ("GP",), "97530": ("GP", "59")},
    }[kind]


def test_the_lines_scrubbed_are_the_lines_billed_and_stored(store: Store, tmp_path: Path) -> None:
    ctx = build_context()
    cases = _write_visits(tmp_path / "visits.jsonl")
    org = store.ensure_organization("default")

    def uow():  # type: ignore[no-untyped-def]
        return claims_unit_of_work(store, org, "tester")

    import_visits(uow, tmp_path / "visits.jsonl")
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert sorted(built.built) == sorted(cases)
    seen = _Checked()
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2026, 3, 3),
                        rules=(*all_rules(), seen.rule()))  # fmt: skip
    result = lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    for pcn in result.held:  # a held claim is billed once a biller releases it
        lifecycle.release_claim(uow, pcn, "test: bill as built")  # type: ignore[arg-type]
    batches = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, tmp_path / "out")  # type: ignore[arg-type]
    billed: dict[str, list[Line]] = {}
    for batch in batches:
        for claim in read_837(batch.file.read_text(encoding="ascii")):
            billed[claim.claim_id] = [
                (ln.code, ln.modifiers, ln.units, str(ln.charge.amount)) for ln in claim.lines
            ]
    with uow() as u:  # type: ignore[operator]
        records = u.claims.by_pcn(cases)
    stored = {
        pcn: [(ln.code, ln.modifiers, ln.units, str(ln.charge)) for ln in r.lines]
        for pcn, r in records.items()
    }
    assert sorted(billed) == sorted(cases)
    for visit_id, (payer, kind) in cases.items():
        assert seen.lines[visit_id] == billed[visit_id] == stored[visit_id], (payer, kind)
        modifiers = {code: mods for code, mods, _, _ in billed[visit_id]}
        for code, wanted in _expected(payer, kind).items():
            assert modifiers[code] == wanted, (payer, kind, code)


def test_a_visit_file_is_scrubbed_and_written_with_the_same_lines(tmp_path: Path) -> None:
    ctx = build_context()
    source = tmp_path / "visits.jsonl"
    cases = _write_visits(source)
    seen = _Checked()
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2026, 3, 3),
                        rules=(seen.rule(),))  # fmt: skip
    visits: list[Visit] = read_visits(source)
    scrubber.scrub(visits)
    (written,) = write_837_files(
        source,
        tmp_path / "out.837",
        ctx.config,
        ctx.catalog,
        datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        None,
    )
    billed = {
        c.claim_id: [(ln.code, ln.modifiers, ln.units, str(ln.charge.amount)) for ln in c.lines]
        for c in read_837(written.path.read_text(encoding="ascii"))
    }
    assert sorted(billed) == sorted(cases)
    for visit_id, (payer, kind) in cases.items():
        assert seen.lines[visit_id] == billed[visit_id], (payer, kind)
        modifiers = {code: mods for code, mods, _, _ in billed[visit_id]}
        for code, wanted in _expected(payer, kind).items():
            assert modifiers[code] == wanted, (payer, kind, code)
