"""Benchmark: `ptrcm demo` (both runs) on a fresh SQLite file, beside the time to generate
the same synthetic clinic (``write_synth``) in the same run, so a loaded machine shows as a
slower baseline rather than as a slower demo.

    .venv/bin/python benchmarks/demo.py [--patients N] [--months M] [--locations L]

Defaults are the demo's own (600 patients, 6 months, 3 locations). Prints the synthetic
clinic's wall and CPU seconds, the demo's wall and CPU seconds and peak memory (the demo
runs as a child process), the ratio of the two, and both first-pass payment rates.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ptrcm.synth import SynthOptions, write_synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--locations", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        options = SynthOptions(args.patients, args.months, 7, date(2025, 10, 1),
                               locations=args.locations)  # fmt: skip
        (Path(tmp) / "synth").mkdir()
        wall, cpu = time.monotonic(), time.process_time()
        write_synth(options, Path(tmp) / "synth" / "visits.jsonl")
        synth_wall, synth_cpu = time.monotonic() - wall, time.process_time() - cpu
        command = [sys.executable, "-m", "ptrcm.cli", "demo", "--db",
                   f"sqlite:///{Path(tmp) / 'demo.db'}", "--out", f"{tmp}/out",
                   "--patients", str(args.patients), "--months", str(args.months),
                   "--locations", str(args.locations), "--format", "json"]  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        demo_wall = time.monotonic() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    demo_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = json.loads(done.stdout)
    size = f"{args.patients} patients, {args.months} months, {args.locations} locations"
    print(f"synthetic clinic ({size}): {synth_wall:.1f} s wall, {synth_cpu:.1f} s CPU")
    print(f"ptrcm demo, both runs: {demo_wall:.1f} s wall, {demo_cpu:.1f} s CPU,"
          f" peak {after.ru_maxrss / 1024:.0f} MB")  # fmt: skip
    print(f"demo / synthetic clinic: {demo_wall / synth_wall:.1f}x wall,"
          f" {demo_cpu / synth_cpu:.1f}x CPU")  # fmt: skip
    a, b = summary["with_scrubber"], summary["without_scrubber"]
    print(
        f"first-pass payment rate: {a['first_pass_rate']} % with the scrubber,"
        f" {b['first_pass_rate']} % without ({a['submitted']} and {b['submitted']} submitted)"
    )


if __name__ == "__main__":
    main()
