"""EMR import rates: the same synthetic clinic as JSONL, HL7 v2 DFT^P03, FHIR R4 NDJSON
and CSV, each read (adapter + interchange checks) and imported into a fresh organization
of one SQLite file (and PostgreSQL schema), in the same run; visits per second and the
ratio to JSONL.

    .venv/bin/python benchmarks/emr_import.py [--patients 300] [--months 6] [--postgres URL]

PostgreSQL runs when ``--postgres`` or ``PTRCM_TEST_POSTGRES_URL`` is set, in a scratch
schema that is dropped afterwards. Export (our writers) and migrations are not timed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from benchmarks.import_visits import postgres_scratch

from ptrcm.bootstrap import build_context
from ptrcm.domain.intake import IncomingRecord
from ptrcm.interfaces.csv_read import load_mapping, read_csv_file
from ptrcm.interfaces.csv_write import mapping_toml, write_csv_export
from ptrcm.interfaces.emr_import import import_csv, import_fhir, import_hl7
from ptrcm.interfaces.fhir_visit import read_fhir
from ptrcm.interfaces.fhir_write import write_ndjson_export
from ptrcm.interfaces.hl7_read import read_hl7_file
from ptrcm.interfaces.hl7_write import write_dft_file
from ptrcm.services.intake.visit_files import read_visits
from ptrcm.services.intake.visits import ImportResult, import_visits, split_records
from ptrcm.store.repository import Store
from ptrcm.synth import SynthOptions, write_synth


def timed(action: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    value = action()
    return time.perf_counter() - began, value


Formats = dict[str, tuple[Callable[[], object], Callable[..., ImportResult]]]


def formats(tmp: Path, jsonl: Path) -> Formats:
    """Per format: (read and check every visit, import into a unit of work)."""
    visits = read_visits(jsonl)
    write_dft_file(visits, tmp / "run.hl7")
    write_ndjson_export(visits, tmp / "fhir")
    write_csv_export(visits, tmp / "run.csv")
    (tmp / "m.toml").write_text(mapping_toml(), encoding="utf-8")
    mapping = load_mapping(tmp / "m.toml")
    payers = build_context().config.payers

    def checked(read: Callable[[], list[IncomingRecord]]) -> Callable[[], object]:
        return lambda: split_records(read(), payers=payers)

    return {
        "jsonl": (lambda: read_visits(jsonl), partial(import_visits, path=jsonl)),
        "hl7": (checked(lambda: read_hl7_file(tmp / "run.hl7")),
                partial(import_hl7, path=tmp / "run.hl7")),
        "fhir": (checked(lambda: read_fhir(tmp / "fhir")),
                 partial(import_fhir, path=tmp / "fhir")),
        "csv": (checked(lambda: read_csv_file(tmp / "run.csv", mapping)),
                partial(import_csv, path=tmp / "run.csv", mapping=mapping)),
    }  # fmt: skip


def run_backend(label: str, url: str, tmp: Path, jsonl: Path, n: int) -> None:
    store = Store.open(url)
    payers = build_context().config.payers
    base: float | None = None
    for name, (read, importer) in formats(tmp, jsonl).items():
        read_s, _ = timed(read)
        org = store.create_organization(f"bench-{name}")
        uow = partial(store.unit_of_work, org, "bench")
        first_s, result = timed(lambda imp=importer, u=uow: imp(u, payers=payers))  # type: ignore[misc]
        assert isinstance(result, ImportResult) and result.inserted == n, (name, result)
        again_s, _ = timed(lambda imp=importer, u=uow: imp(u, payers=payers))  # type: ignore[misc]
        base = base or first_s
        ratio = base / first_s
        print(
            f"{label:<10} {name:<5} read+check {n / read_s:7.0f} visits/s ({read_s:5.2f} s)"
            f"  import {n / first_s:6.0f} visits/s ({first_s:5.2f} s, {ratio:4.2f}x JSONL)"
            f"  again (unchanged) {n / again_s:6.0f} visits/s ({again_s:5.2f} s)"
        )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--postgres", default=os.environ.get("PTRCM_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        jsonl = tmp / "run.jsonl"
        options = SynthOptions(args.patients, args.months, 11, date(2025, 4, 1), 0.08, 3)
        write_synth(options, jsonl)
        n = len(read_visits(jsonl))
        sizes = {"jsonl": jsonl.stat().st_size}
        formats(tmp, jsonl)  # write the exports once to report their sizes
        sizes |= {"hl7": (tmp / "run.hl7").stat().st_size, "csv": (tmp / "run.csv").stat().st_size,
                  "fhir": sum(p.stat().st_size for p in (tmp / "fhir").iterdir())}  # fmt: skip
        print(f"{n} visits; " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
        run_backend("sqlite", f"sqlite:///{tmp / 'bench.db'}", tmp, jsonl, n)
        if args.postgres:
            url, drop = postgres_scratch(args.postgres)
            try:
                run_backend("postgresql", url, tmp, jsonl, n)
            finally:
                drop()
        else:
            print("postgresql skipped: pass --postgres URL or set PTRCM_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
