"""X12 835 parsing speed: claims per second beside a plain str.split pass and pyx12.

For 10,000 and 100,000 claims (three service lines each), written by ptrcm's own 835
writer into a temporary directory, each size is measured in several independent runs
(``--runs``); in each run, best of ``--repeats``:

* plain split: ``[s.split(element) for s in text.split(terminator)]`` over the same text,
  with the garbage collector paused as ``read_x12`` pauses it (the baseline: like with
  like), and with the collector running (shown beside it);
* full parse: ``read_x12`` into typed models (tokenize, envelope, claims, balancing).

Then once: pyx12's segment reader (``pyx12.x12file.X12Reader`` iteration, builds no
model), edi-835-parser when installed, and peak memory (tracemalloc) of the full parse and
the split. The load average is recorded before and after each size.

The bar: full parse ≤ 3× the plain split, in every run. Results go to docs/benchmarks.md
under "X12 parsing (benchmarks/x12.py)"; only that section is rewritten.

    .venv/bin/python benchmarks/x12.py [--sizes 10000,100000] [--runs 3] [--no-docs]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import RemittanceDocument
from ptrcm.x12.remit835.sample import sample_remittance
from ptrcm.x12.remit835.write import write_835

HEADING = "## X12 parsing (benchmarks/x12.py)"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BAR = 3.0


def best_of(func: Callable[[], Any], repeats: int, paused_gc: bool = False) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        if paused_gc:
            gc.disable()
        start = time.perf_counter()
        try:
            func()
        finally:
            elapsed = time.perf_counter() - start
            gc.enable()
        best = min(best, elapsed)
    return best


def peak_memory(func: Callable[[], Any]) -> int:
    """Peak bytes allocated while ``func`` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def pyx12_reader(path: Path) -> Callable[[], int] | None:
    try:
        import pyx12.x12file
    except ImportError:
        return None

    def run() -> int:
        count = 0
        with pyx12.x12file.X12Reader(str(path)) as reader:
            for _ in reader:
                count += 1
        return count

    return run


def edi_835_parser(path: Path) -> Callable[[], Any] | None:
    try:
        from edi_835_parser import parse  # type: ignore[import-not-found]
    except ImportError:
        return None
    return lambda: parse(str(path))


def measure(claims: int, workdir: Path, repeats: int, runs: int) -> dict[str, Any]:
    settings = EnvelopeSettings("DEMOPAYER", "RIVERSIDEPT", "DEMO PAYER", "EDI", "5125550100")
    text = write_835(
        [sample_remittance(claims)], settings, CounterControlNumbers(), datetime(2026, 5, 15, 10, 0)
    )
    path = workdir / f"bench_{claims}.835"
    path.write_text(text, encoding="ascii")
    data = path.read_bytes()
    segments = text.count("~")

    def plain_split() -> list[list[str]]:
        return [s.split("*") for s in data.decode("ascii").split("~")]

    def full_parse() -> RemittanceDocument:
        doc = read_x12(data, path.name)
        assert isinstance(doc, RemittanceDocument) and len(doc.claims) == claims
        assert not doc.findings, doc.findings[:3]
        return doc

    result: dict[str, Any] = {"claims": claims, "segments": segments, "bytes": len(data)}
    result["load_before"] = os.getloadavg()
    result["runs"] = []
    for _ in range(runs):
        # One run: the three measures back to back, each best of ``repeats``, so the ratio
        # compares figures taken under the same machine load.
        split = best_of(plain_split, repeats, paused_gc=True)
        split_gc = best_of(plain_split, repeats)
        full = best_of(full_parse, repeats)
        result["runs"].append((split, split_gc, full))
    result["load_after"] = os.getloadavg()
    result["split"] = min(r[0] for r in result["runs"])
    result["split_gc"] = min(r[1] for r in result["runs"])
    result["full"] = min(r[2] for r in result["runs"])
    result["peak_full"] = peak_memory(full_parse)
    result["peak_split"] = peak_memory(plain_split)
    slow_repeats = 1 if claims > 20_000 else min(repeats, 3)
    pyx12_run = pyx12_reader(path)
    result["pyx12"] = best_of(pyx12_run, slow_repeats) if pyx12_run else None
    edi_run = edi_835_parser(path)
    result["edi835"] = None
    if edi_run is not None:
        try:
            result["edi835"] = best_of(edi_run, slow_repeats)
        except Exception as exc:  # a third-party parser failing is a result, not a crash
            result["edi835_error"] = f"{type(exc).__name__}: {exc}"
    return result


def row(label: str, seconds: float, claims: int) -> str:
    """One table row: seconds and claims per second."""
    return f"| {label} | {seconds:.3f} | {claims / seconds:,.0f} |"


def report(r: dict[str, Any]) -> list[str]:
    n = r["claims"]
    ratios = [full / split for split, _, full in r["runs"]]
    ratios_gc = [full / split_gc for _, split_gc, full in r["runs"]]
    worst = max(ratios)
    lines = [
        f"### {n:,} claims ({r['segments']:,} segments, {r['bytes'] / 1e6:.1f} MB)",
        "",
        f"Load average (1, 5, 15 min) before: {_load(r['load_before'])}; after:"
        f" {_load(r['load_after'])}.",
        "",
        "| run | plain split, collector paused (s) | plain split, collector running (s)"
        " | read_x12 full typed parse (s) | full / split paused | full / split running |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for number, ((split, split_gc, full), ratio, ratio_gc) in enumerate(
        zip(r["runs"], ratios, ratios_gc, strict=True), start=1
    ):
        cells = [
            f"{split:.3f}",
            f"{split_gc:.3f}",
            f"{full:.3f}",
            f"{ratio:.2f}×",
            f"{ratio_gc:.2f}×",
        ]
        lines.append(f"| {number} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| measure (best of all runs) | seconds | claims/s |",
        "|---|---:|---:|",
        row("plain str.split, collector paused (baseline)", r["split"], n),
        row("plain str.split, collector running", r["split_gc"], n),
        row("ptrcm read_x12, full typed parse", r["full"], n),
    ]
    if r["pyx12"] is not None:
        lines.append(row("pyx12 X12Reader (segments only)", r["pyx12"], n))
    if r["edi835"] is not None:
        lines.append(row("edi-835-parser", r["edi835"], n))
    lines += [
        "",
        f"**Headline: {n / r['full']:,.0f} claims/s; full parse / plain split with the collector"
        f" paused = {min(ratios):.2f}–{worst:.2f}× over {len(ratios)} runs (bar ≤ {BAR:.0f}×:"
        f" {'met in every run' if worst <= BAR else 'NOT met in every run'}); against the split"
        f" with the collector running {min(ratios_gc):.2f}–{max(ratios_gc):.2f}×**"
        + (
            f"; {r['pyx12'] / r['full']:.1f}× faster than pyx12's segment reader"
            if r["pyx12"]
            else ""
        )
        + (f"; {r['edi835'] / r['full']:.1f}× faster than edi-835-parser" if r["edi835"] else ""),
        "",
        *(
            [f"edi-835-parser failed on this file: {r['edi835_error']}", ""]
            if r.get("edi835_error")
            else []
        ),
        f"Peak memory (tracemalloc): full parse {r['peak_full'] / 1e6:.0f} MB,"
        f" plain split {r['peak_split'] / 1e6:.0f} MB (file {r['bytes'] / 1e6:.0f} MB).",
        "",
    ]
    return lines


def _load(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def write_docs(body: list[str]) -> None:
    section = "\n".join([HEADING, "", *body]).rstrip() + "\n"
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many timings")
    parser.add_argument("--runs", type=int, default=3, help="independent runs per size")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    body = [
        f"Measured {datetime.now():%Y-%m-%d} on {platform.python_implementation()}"
        f" {platform.python_version()}, {platform.machine()} (shared 2-core machine: other"
        f" engineers' processes run beside it, load averages are given per size). Each size"
        f" is measured in {args.runs} independent runs; in each run the plain split and the full"
        f" parse are timed back to back, best of {args.repeats}, and the ratio is taken within"
        " the run. pyx12/edi-835-parser: best of 3 at 10,000 claims, 1 run at 100,000."
        " Input: 835s written by ptrcm's writer, three PT service lines per claim.",
        "",
        "read_x12 pauses the cyclic garbage collector while it reads (nothing it builds is"
        " cyclic), so the bar is checked against the split with the collector paused too (like"
        " with like, the stricter baseline); the ratio against a split run as Python runs it"
        " by default is shown beside it. The full parse is timed as a caller sees it: the"
        " collector is on in the caller, read_x12 pauses it while reading, and the collection"
        " Python runs over the new objects once it is back on falls inside the timing (about"
        " 30 ms at 10,000 claims: paused around the call as well, the same parse measured"
        " 0.164 s against 0.192 s).",
        "",
        "How the full parse got here: an 835 file of one interchange is read in one pass"
        " (x12/remit835/stream.py): each segment string is split into elements when the loop"
        " reaches it, envelope segments go to the envelope walker and the rest to a dict of"
        " handlers by segment id, so the whole file is never held as lists of elements (peak"
        " memory: the text, the segment strings and the typed result). Amounts, quantities,"
        " dates, procedures and whole CAS segments are built once per file and shared;"
        " a DTM, AMT or CAS segment whose exact text was seen before costs one dict lookup (no"
        " split, no parse);"
        " ServicePayment and ClaimPayment are slotted but not frozen dataclasses (a frozen"
        " __init__ measured 1.1 µs against 0.3 µs for these 14-19 field classes); service-line"
        " drafts carry only the lists a line uses; balancing runs in plain loops. Before these"
        " changes the same benchmark measured 4.51× at 10,000 claims and 2.28× at 100,000"
        " (single runs), with peak memory 92 MB and 922 MB.",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for claims in sizes:
            result = measure(claims, Path(tmp), args.repeats, args.runs)
            lines = report(result)
            print("\n".join(lines))
            body += lines
    if edi_835_parser(Path(".")) is None:
        note = "edi-835-parser: not installed (pip install edi-835-parser failed or was skipped)."
        print(note)
        body.append(note)
    if not args.no_docs:
        write_docs(body)
        print(f"wrote {DOCS}")


if __name__ == "__main__":
    main()
