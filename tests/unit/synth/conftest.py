"""Shared synthetic runs: generated once per test session into a temporary directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ptrcm.synth import SynthOptions, companion_paths, write_synth


@dataclass(frozen=True)
class Run:
    options: SynthOptions
    paths: dict[str, Path]
    visits: list[dict[str, Any]]
    truth: list[dict[str, Any]]
    master: dict[str, Any]
    appointments: list[dict[str, Any]]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def make_run(directory: Path, options: SynthOptions) -> Run:
    write_synth(options, directory / "run.jsonl")
    paths = companion_paths(directory / "run.jsonl")
    return Run(
        options,
        paths,
        _lines(paths["visits"]),
        _lines(paths["truth"]),
        json.loads(paths["master"].read_text(encoding="utf-8")),
        _lines(paths["appointments"]),
    )


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    options = SynthOptions(patients=600, months=6, seed=5, defect_rate=0.0)
    return make_run(tmp_path_factory.mktemp("clean"), options)


@pytest.fixture(scope="session")
def defect_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    options = SynthOptions(patients=600, months=6, seed=5, defect_rate=0.25)
    return make_run(tmp_path_factory.mktemp("defects"), options)
