"""A small synthetic clinic (with its injected defects) for the EMR interface tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ptrcm.domain.visits import Visit
from ptrcm.services.intake.visit_files import read_visits
from ptrcm.synth import SynthOptions, write_synth


def synthetic_clinic(folder: Path, patients: int = 24) -> tuple[Path, list[Visit]]:
    """The visits file of a two-month run and its visits."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.jsonl"
    write_synth(SynthOptions(patients, 2, 5, date(2025, 10, 1), 0.15, 3), path)
    return path, read_visits(path)
