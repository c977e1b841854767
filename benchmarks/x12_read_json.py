"""`ptrcm x12 read --format json` end to end, beside a plain split-and-dump in the same run.

One 835 of ``--claims`` claims (three service lines each) is written by ptrcm's own 835
writer into a temporary directory. Each run times two whole processes over the same file,
stdout sent to /dev/null, best of ``--repeats``:

* baseline: ``python -c`` that reads the bytes, splits them into segments and elements
  (``[s.split(element) for s in text.split(terminator)]``) and writes ``json.dumps`` of
  that list with the options the CLI uses when its output is not a terminal (compact);
* ptrcm: ``python -m ptrcm.cli x12 read FILE --format json``: tokenize, envelope, typed
  835 model with balancing, JSON of the model.

Both start the same interpreter, so start-up counts on both sides. The bar: ptrcm ≤ 3×
the baseline in wall time in every run; the children's CPU time (user + system) is shown
beside it, since on a shared two-core machine wall time also measures the neighbours.
The result goes to docs/benchmarks.md under "X12 read as JSON, end to end
(benchmarks/x12_read_json.py)"; only that section is rewritten.

    .venv/bin/python benchmarks/x12_read_json.py [--claims 50000] [--runs 3] [--no-docs]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.remit835.sample import sample_remittance
from ptrcm.x12.remit835.write import write_835

HEADING = "## X12 read as JSON, end to end (benchmarks/x12_read_json.py)"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BAR = 3.0

BASELINE = """
import json, sys
text = open(sys.argv[1], encoding="latin-1").read()
element, terminator = text[3], text[105]
segments = [s.split(element) for s in text.split(terminator) if s.strip()]
sys.stdout.write(json.dumps(segments) + "\\n")
"""


def time_process(args: list[str], repeats: int) -> tuple[float, float]:
    """The fastest of ``repeats`` whole-process runs: (wall seconds, CPU seconds of the
    child, user + system). Fails on a non-zero exit."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            done = subprocess.run(args, stdout=sink, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{args[:4]} exited {done.returncode}: {done.stderr[-500:]!r}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, elapsed), min(best_cpu, cpu)
    return best_wall, best_cpu


def write_file(folder: Path, claims: int) -> Path:
    settings = EnvelopeSettings("PAYERSEND", "CLINICRECV", "PAYER", "CLINIC", "1")
    text = write_835(
        [sample_remittance(claims)], settings, CounterControlNumbers(), datetime(2026, 5, 15)
    )
    path = folder / f"remit-{claims}.835"
    path.write_text(text, encoding="latin-1")
    return path


def record(lines: list[str]) -> None:
    section = "\n".join([HEADING, "", *lines, ""])
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else f"{text}\n{section}"
    DOCS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    rows: list[tuple[float, float, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = write_file(Path(tmp), args.claims)
        size_mb = path.stat().st_size / 1e6
        load_before = os.getloadavg()[0]
        for run in range(1, args.runs + 1):
            base, base_cpu = time_process([python, "-c", BASELINE, str(path)], args.repeats)
            ours, ours_cpu = time_process(
                [python, "-m", "ptrcm.cli", "x12", "read", str(path), "--format", "json"],
                args.repeats,
            )
            rows.append((base, ours, ours / base, base_cpu, ours_cpu))
            print(
                f"run {run}: baseline {base:.2f} s, ptrcm x12 read --format json {ours:.2f} s,"
                f" ratio {ours / base:.2f}x (bar ≤ {BAR}x); CPU {base_cpu:.2f} s vs"
                f" {ours_cpu:.2f} s, {ours_cpu / base_cpu:.2f}x"
            )
        load_after = os.getloadavg()[0]
    worst = max(r[2] for r in rows)
    verdict = "met" if worst <= BAR else "NOT met"
    print(f"worst ratio {worst:.2f}x: bar {verdict}")
    if args.no_docs:
        return
    lines = [
        f"{args.claims:,} claims (three lines each, {size_mb:.1f} MB), whole processes,"
        f" best of {args.repeats} per run; load average {load_before:.2f} before,"
        f" {load_after:.2f} after; {platform.python_implementation()}"
        f" {platform.python_version()}, {os.cpu_count()} cores.",
        "",
        "| run | split + json.dumps | ptrcm x12 read --format json | ratio (wall) |"
        " CPU baseline | CPU ptrcm | ratio (CPU) |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {i} | {b:.2f} s | {o:.2f} s | {r:.2f}× | {bc:.2f} s | {oc:.2f} s | {oc / bc:.2f}× |"
            for i, (b, o, r, bc, oc) in enumerate(rows, start=1)
        ),
        "",
        f"Bar ≤ {BAR}× in every run: {verdict} (worst {worst:.2f}×).",
    ]
    record(lines)


if __name__ == "__main__":
    main()
