"""The command line as a user runs it: a new process, so errors become exit codes in
``ptrcm.cli.main`` exactly as in a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import ptrcm as package

SOURCES = str(Path(package.__file__).resolve().parents[1])


def ptrcm(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ptrcm.cli ARGS`` on the sources under test, from ``cwd``, with
    ``env`` over this process's environment (and ``stdin`` as its standard input)."""
    path = os.pathsep.join(p for p in (SOURCES, os.environ.get("PYTHONPATH")) if p)
    environment = {**os.environ, "PYTHONPATH": path, **(env or {})}
    command = [sys.executable, "-m", "ptrcm.cli", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd,
        env=environment, input=stdin,
    )  # fmt: skip
