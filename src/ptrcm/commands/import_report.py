"""The report of an import command: counts and quarantined problems, text or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import typer

from ptrcm.cli_support import OutputFormat, emit_json
from ptrcm.errors import RecordProblem


class ImportCounts(Protocol):
    @property
    def inserted(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def quarantined(self) -> int: ...
    @property
    def problems(self) -> Sequence[RecordProblem]: ...


def report_import(path: str, org: str, result: ImportCounts, fmt: OutputFormat) -> None:
    """Counts (and quarantined problems) as JSON or plain, unwrapped lines; exit 1 when
    anything was quarantined."""
    from ptrcm.services.intake.visits import MAX_SHOWN_PROBLEMS

    if fmt is OutputFormat.json:
        emit_json(
            {
                "file": path,
                "organization": org,
                "inserted": result.inserted,
                "updated": result.updated,
                "quarantined": result.quarantined,
                "problems": [
                    {"line": p.line, "field": p.field, "message": p.message}
                    for p in result.problems
                ],
            }
        )
    else:
        # Plain lines, never wrapped: scripts and people grep them.
        typer.echo(
            f"{path}: {result.inserted} inserted, {result.updated} updated,"
            f" {result.quarantined} quarantined"
        )
        for problem in result.problems[:MAX_SHOWN_PROBLEMS]:
            typer.echo(f"  quarantined {problem}")
        if len(result.problems) > MAX_SHOWN_PROBLEMS:
            typer.echo(f"  ... and {len(result.problems) - MAX_SHOWN_PROBLEMS} more problems")
    if result.quarantined:
        raise typer.Exit(1)
