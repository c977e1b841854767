"""Benchmark: `ptrcm demo` at its default size (3 locations, 600 patients, 6 months),
both runs, on a fresh SQLite file. Prints one figure: wall seconds (target < 120)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'demo.db'}"
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ptrcm.cli",
                "demo",
                "--db",
                db,
                "--out",
                f"{tmp}/out",
                "--format",
                "json",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.monotonic() - started
    print(f"ptrcm demo (600 patients, 6 months, both runs): {seconds:.1f} s")


if __name__ == "__main__":
    main()
