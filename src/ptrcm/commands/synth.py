"""`ptrcm synth ...`: the synthetic clinic (visits with ground truth for scrubber tests)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, out

app = typer.Typer(help="Generate a synthetic clinic: visits, ground truth, master data.")


@app.command("visits")
def visits_command(
    out_path: Annotated[
        str, typer.Option("--out", help="Visits file FILE.jsonl; companions go beside it.")
    ],
    patients: Annotated[int, typer.Option(help="Number of patients.")] = 600,
    months: Annotated[int, typer.Option(help="Length of the period in months.")] = 6,
    seed: Annotated[int, typer.Option(help="Random seed: same arguments, same bytes.")] = 0,
    defect_rate: Annotated[
        float, typer.Option("--defect-rate", help="Share of visits with a defect (0: clean).")
    ] = 0.08,
    start: Annotated[str, typer.Option(help="First day of the period, YYYY-MM-DD.")] = "2025-10-01",
    locations: Annotated[int, typer.Option(help="Clinic locations, 1 to 5.")] = 3,
    documentation: Annotated[
        bool, typer.Option(help="Write each visit's documentation (for `ptrcm chart-audit`).")
    ] = False,
    doc_defect_rate: Annotated[
        float,
        typer.Option(
            "--doc-defect-rate",
            help="With --documentation: share of episodes given one documentation defect,"
            " labelled in FILE.doc-truth.jsonl.",
        ),
    ] = 0.0,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = (
        OutputFormat.text
    ),
) -> None:
    """Write FILE.jsonl (visits), FILE.truth.jsonl, FILE.master.json, FILE.appointments.jsonl.

    Each truth line names the visit's injected defects and the scrubber rule that should
    catch each; the master file recommends the ``as_of`` date for scrubbing.
    """
    from ptrcm.synth import SynthOptions, write_synth

    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise fail(f"--start {start!r}: must be a date YYYY-MM-DD") from None
    try:
        options = SynthOptions(
            patients, months, seed, first, defect_rate, locations, documentation, doc_defect_rate
        )
    except ValueError as exc:
        raise fail(str(exc)) from None
    try:
        summary = write_synth(options, out_path)
    except OSError as exc:
        raise fail(f"{out_path}: cannot write ({exc.strerror})") from None
    if fmt is OutputFormat.json:
        emit_json(
            {
                "visits": summary.visits,
                "defective_visits": summary.defective_visits,
                "appointments": summary.appointments,
                "patients": summary.patients,
                "as_of": summary.as_of.isoformat(),
                "files": summary.files,
                "defects_by_rule": summary.defects_by_rule,
                "appointment_statuses": summary.statuses,
            }
        )
        return
    out.print(
        f"{summary.visits} visits ({summary.defective_visits} with a defect),"
        f" {summary.appointments} appointments, {summary.patients} patients;"
        f" scrub with --as-of {summary.as_of.isoformat()}",
        markup=False,
    )
    for kind, path in summary.files.items():
        out.print(f"  {kind}: {path}", markup=False)


@app.command("export")
def export_command(
    visits_path: Annotated[str, typer.Argument(help="Visits file (JSON Lines), e.g. synth's.")],
    to: Annotated[
        str, typer.Option("--to", help="hl7 (DFT^P03 file), fhir (NDJSON folder), bundle, csv.")
    ],
    out_path: Annotated[str, typer.Option("--out", help="File (or folder, for fhir) to write.")],
) -> None:
    """Export visits as an EMR would send them: HL7 v2 DFT^P03, FHIR R4 Bulk Data NDJSON
    or a Bundle, or CSV (with OUT.mapping.toml beside it). For tests and benchmarks of
    `ptrcm import hl7|fhir|csv`; docs/interfaces.md describes each layout."""
    from pathlib import Path

    from ptrcm.errors import PtrcmError
    from ptrcm.services.intake.visit_files import read_visits

    try:
        visits = read_visits(visits_path)
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    if to == "hl7":
        from ptrcm.interfaces.hl7_write import write_dft_file

        count = write_dft_file(visits, out_path)
    elif to in ("fhir", "bundle"):
        from ptrcm.interfaces.fhir_write import write_bundle, write_ndjson_export

        writer = write_ndjson_export if to == "fhir" else write_bundle
        count = writer(visits, out_path)
    elif to == "csv":
        from ptrcm.interfaces.csv_write import mapping_toml, write_csv_export

        count = write_csv_export(visits, out_path)
        target = Path(out_path)
        mapping = target.with_name(target.stem + ".mapping.toml")
        mapping.write_text(mapping_toml(), encoding="utf-8")
    else:
        raise fail(f"--to {to!r}: must be hl7, fhir, bundle or csv")
    out.print(f"{count} visits written to {out_path} ({to})", markup=False)
