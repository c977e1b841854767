"""Chart-audit accuracy on the synthetic clinic with labelled documentation defects.

Generates a clinic with ``ptrcm.synth`` (documentation on, billing defects off, one
documentation defect in a share of the episodes), reads every visit through the
interchange reader, scores all of them with the criteria catalog, and compares: a labelled
defect is *found* when its criterion is reported on its visit; a record of an episode
with no injected defect is *clean*, and a *false significant finding* when it does not
pass. Prints the table and, with ``--write``, replaces the "Chart audit accuracy" block
of docs/benchmarks.md.

Bars: >= 99% of injected defects found; <= 1% of clean records with a significant finding.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from ptrcm.domain.chart_audit.criteria import load_criteria
from ptrcm.domain.chart_audit.engine import score_visits
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.synth.generator import SynthOptions, iter_patient_outputs

FOUND_BAR = 0.99
FALSE_BAR = 0.01
START, END = "<!-- audit:accuracy:start -->", "<!-- audit:accuracy:end -->"


def evaluate(patients: int, months: int, seed: int, rate: float) -> dict[str, object]:
    options = SynthOptions(
        patients=patients, months=months, seed=seed, defect_rate=0.0,
        documentation=True, doc_defect_rate=rate,
    )  # fmt: skip
    t0 = time.perf_counter()
    records, labels = [], []
    for out in iter_patient_outputs(options):
        records.extend(out.visits)
        labels.extend(out.doc_truth)
    t1 = time.perf_counter()
    visits = [parse_visit(r, "<synth>", i) for i, r in enumerate(records, start=1)]
    criteria = load_criteria()
    scores = {s.visit_id: s for s in score_visits(visits, criteria, load_catalog())}
    t2 = time.perf_counter()
    injected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for label in labels:
        injected[label["criterion"]] += 1
        if label["criterion"] in {f.criterion_id for f in scores[label["visit_id"]].findings}:
            found[label["criterion"]] += 1
    defective = {scores[label["visit_id"]].episode_key for label in labels}
    clean = [s for s in scores.values() if s.episode_key not in defective]
    flagged = [s for s in clean if not s.passed]
    any_finding = [s for s in clean if s.findings]
    return {
        "options": options, "criteria_version": criteria.version, "visits": len(visits),
        "episodes": len({s.episode_key for s in scores.values()}),
        "defective_episodes": len(defective), "injected": injected, "found": found,
        "clean": len(clean), "flagged": len(flagged), "any_finding": len(any_finding),
        "flagged_by": Counter(f.criterion_id for s in flagged for f in s.findings
                              if f.significant),
        "generate_s": t1 - t0, "score_s": t2 - t1,
    }  # fmt: skip


def table(r: dict[str, object]) -> str:
    injected: Counter[str] = r["injected"]  # type: ignore[assignment]
    found: Counter[str] = r["found"]  # type: ignore[assignment]
    o: SynthOptions = r["options"]  # type: ignore[assignment]
    total, hit = sum(injected.values()), sum(found.values())
    clean, flagged = int(r["clean"]), int(r["flagged"])  # type: ignore[call-overload]
    recall = hit / total if total else 1.0
    false_rate = flagged / clean if clean else 0.0
    lines = [
        f"`benchmarks/audit_accuracy.py` (synth --patients {o.patients} --months {o.months}"
        f" --seed {o.seed}, documentation on, billing defects off, one documentation defect"
        f" in {o.doc_defect_rate:.0%} of episodes; criteria {r['criteria_version']})",
        "",
        f"{r['visits']} records in {r['episodes']} episodes; {total} injected defects in"
        f" {r['defective_episodes']} episodes; {clean} records of episodes without a defect."
        f" Generation {r['generate_s']:.1f} s, reading and scoring {r['score_s']:.1f} s.",
        "",
        "| criterion | injected | found | missed |",
        "|---|---:|---:|---:|",
    ]
    for criterion in sorted(injected):
        n, f = injected[criterion], found[criterion]
        lines.append(f"| {criterion} | {n} | {f} | {n - f} |")
    lines += [
        f"| **all** | **{total}** | **{hit}** | **{total - hit}** |",
        "",
        "| measure | value | bar |",
        "|---|---:|---|",
        f"| injected defects found | {recall:.2%} | ≥ {FOUND_BAR:.0%}"
        f" — {'met' if recall >= FOUND_BAR else 'NOT met'} |",
        f"| clean records with a significant finding | {flagged} of {clean} ({false_rate:.2%})"
        f" | ≤ {FALSE_BAR:.0%} — {'met' if false_rate <= FALSE_BAR else 'NOT met'} |",
        f"| clean records with any finding (minor included) | {r['any_finding']} | — |",
        "",
        "CT03 (certified interval) is not injected; it is shown by the hand-built records of"
        " tests/unit/chart_audit. A defect may also make other records of its own episode"
        " fail (a missing progress report leaves every later visit of the period without"
        " one): those episodes are not counted as clean.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=3000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--rate", type=float, default=0.3, help="share of episodes with a defect")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    result = evaluate(args.patients, args.months, args.seed, args.rate)
    text = table(result)
    print(text)
    if args.write:
        doc = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
        body = doc.read_text(encoding="utf-8")
        block = f"{START}\n{text}\n{END}"
        if START in body:
            head, rest = body.split(START, 1)
            body = head + block + rest.split(END, 1)[1]
        else:
            body = body.rstrip("\n") + "\n\n## Chart audit accuracy\n\n" + block + "\n"
        doc.write_text(body, encoding="utf-8")
    injected: Counter[str] = result["injected"]  # type: ignore[assignment]
    found: Counter[str] = result["found"]  # type: ignore[assignment]
    total = sum(injected.values())
    ok = (sum(found.values()) / total if total else 1.0) >= FOUND_BAR and int(
        result["flagged"]  # type: ignore[call-overload]
    ) <= FALSE_BAR * int(result["clean"])  # type: ignore[call-overload]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
