"""`ptrcm scrub VISITS.jsonl`: findings for each visit; exit 0 clean, 1 errors, 2 bad input."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, fail, opened, parse_day
from ptrcm.commands.options import AsOf, Config, Db, Fmt, Org

if TYPE_CHECKING:
    from ptrcm.bootstrap import Root
    from ptrcm.domain.visits import Visit
    from ptrcm.rules.engine import Finding, Rule
    from ptrcm.rules.fixes import FixResult
    from ptrcm.services.claims.scrubbing import ScrubReport

FIX_HELP = "Apply the safe fixes and write the fixed visits to --out (never KX, 59, diagnoses)."
SELECT_HELP = "Only these rule ids or prefixes (e.g. M,N001); repeat or separate with commas."
IGNORE_HELP = "Skip these rule ids or prefixes; wins over --select."


def _ids(values: Sequence[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(p.strip().upper() for p in value.split(",") if p.strip())
    return tuple(out)


def scrub(
    visits_file: Annotated[str, typer.Argument(help="Visit interchange file (JSON Lines).")],
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    as_of: AsOf = None,
    fmt: Fmt = OutputFormat.text,
    fix: Annotated[bool, typer.Option("--fix", help=FIX_HELP)] = False,
    out_file: Annotated[str | None, typer.Option("--out", help="Where --fix writes.")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help=SELECT_HELP)] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help=IGNORE_HELP)] = None,
) -> None:
    """Check every visit against the rule catalog and the payer's rule pack.

    Exit 0 when no error-severity finding remains, 1 when one does, 2 on bad usage or input.
    With --fix the safe fixes are applied, the fixed visits written to --out, and the
    findings shown are those the fixed file still has. With --db (or PTRCM_DATABASE_URL)
    the patients' earlier visits stored there are history for the rules (KX year to date,
    visit counts, duplicates, progress reports).
    """
    if fix and not out_file:
        raise fail("--fix needs --out FIXED.jsonl (the input file is never changed)")
    if out_file and not fix:
        raise fail("--out is only used with --fix")
    with opened(config=config, db=db, org=org) as root:
        code = _run(root, visits_file, db is not None, as_of, fmt, out_file if fix else None,
                    select, ignore)  # fmt: skip
    raise typer.Exit(code)


def _run(
    root: Root,
    visits_file: str,
    with_history: bool,
    as_of: str | None,
    fmt: OutputFormat,
    out_file: str | None,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
) -> int:
    from ptrcm.rules.catalog import all_rules
    from ptrcm.rules.fixes import fix_visits
    from ptrcm.services.intake.visit_files import read_visits, write_visits

    known = {r.id for r in all_rules()}
    for prefix in (*_ids(select), *_ids(ignore)):
        if not any(rule_id.startswith(prefix) for rule_id in known):
            raise fail(f"--select/--ignore {prefix!r}: no rule id starts with it")
    day = parse_day(as_of, "--as-of", root.clock.today)
    visits = read_visits(visits_file)
    prior = _stored_history(root, visits) if with_history else None
    scrubber = root.scrubber(day, select=_ids(select), ignore=_ids(ignore))
    report = scrubber.scrub(visits, keep_charges=out_file is not None, prior=prior)
    results: list[FixResult] = []
    if out_file is not None:
        results = fix_visits(visits, report.findings, dict(report.charges))
        write_visits([r.visit for r in results], out_file)
        report = scrubber.scrub([r.visit for r in results], prior=prior)
    if fmt is OutputFormat.json:
        emit_json([f.to_json() for f in report.findings])
    else:
        _print_text(report, scrubber.rules, results, out_file)
    return 1 if report.has_errors else 0


def _stored_history(root: Root, visits: Sequence[Visit]) -> dict[str, list[Visit]]:
    """Earlier visits of the input's patients from the database (never the input's own)."""
    if root.org == DEFAULT_ORG and root.store.organization_id(root.org) is None:
        return {}  # the default organization is created by the first import: nothing stored
    with root.unit_of_work() as uow:
        history = uow.visits.history(
            sorted({v.patient_id for v in visits}), exclude=[v.visit_id for v in visits]
        )
        uow.commit()  # the audit log's read events
    return history


def _print_text(
    report: ScrubReport, rules: Sequence[Rule], fixed: Sequence[FixResult], out_file: str | None
) -> None:
    write = sys.stdout.write
    for f in report.findings:
        write(_finding_line(f))
    if out_file is not None:
        changes = sum(len(r.applied) for r in fixed)
        visits = sum(1 for r in fixed if r.changed)
        write(f"\nfixed: {changes} changes in {visits} visits, written to {out_file}\n")
        write("findings above are what the fixed file still has\n")
    counts = report.count_by_rule()
    errors = sum(c.get("error", 0) for c in counts.values())
    warnings = sum(c.get("warning", 0) for c in counts.values())
    info = sum(c.get("info", 0) for c in counts.values())
    flagged = len({f.visit_id for f in report.findings})
    write(
        f"\n{len(report.findings)} findings in {flagged} of {report.visits} visits:"
        f" {errors} errors, {warnings} warnings, {info} info\n"
    )
    titles = {r.id: r.title for r in rules}
    rank = {r.id: i for i, r in enumerate(rules)}
    for rule_id, per in sorted(counts.items(), key=lambda kv: rank.get(kv[0], len(rank))):
        parts = ", ".join(f"{n} {sev}" for sev, n in per.items())
        write(f"  {rule_id}  {parts:<22} {titles.get(rule_id, '')}\n")


def _finding_line(f: Finding) -> str:
    where = f.visit_id if f.line is None else f"{f.visit_id}:{f.line}"
    code = f.code or "-"
    fix = f"  [fix: {f.fix.description}]" if f.fix is not None else ""
    return f"{where} {code} {f.rule} {f.severity.value}: {f.message}{fix}\n"
