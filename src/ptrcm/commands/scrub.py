"""`ptrcm scrub VISITS.jsonl`: findings for each visit; exit 0 clean, 1 errors, 2 bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail
from ptrcm.errors import PtrcmError

if TYPE_CHECKING:
    from ptrcm.domain.visits import Visit
    from ptrcm.rules.engine import Finding, Rule
    from ptrcm.rules.fixes import FixResult
    from ptrcm.services.scrubbing import ScrubReport

FIX_HELP = "Apply the safe fixes and write the fixed visits to --out (never KX, 59, diagnoses)."
SELECT_HELP = "Only these rule ids or prefixes (e.g. M,N001); repeat or separate with commas."
IGNORE_HELP = "Skip these rule ids or prefixes; wins over --select."
DB_HELP = (
    "Database URL: the patients' earlier visits stored there are history for the rules"
    " (KX year to date, visit counts, duplicates, progress reports)."
)
ORG_HELP = "Organization (tenant) slug in the database given by --db."
AS_OF_HELP = "The date deadlines are measured to (YYYY-MM-DD; default: today in the clinic)."


def _ids(values: Sequence[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(p.strip().upper() for p in value.split(",") if p.strip())
    return tuple(out)


def _as_of(value: str | None, today: Callable[[], date]) -> date:
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of {value!r}: must be a date YYYY-MM-DD") from None


def clinic_today(timezone: str) -> date:
    """Today's date in the clinic's time zone (the injected clock of the CLI)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now().astimezone().date()
    return datetime.now(zone).date()


def scrub(
    visits_file: Annotated[str, typer.Argument(help="Visit interchange file (JSON Lines).")],
    config: Annotated[str | None, typer.Option(help="ptrcm.toml (default: built-in).")] = None,
    db: Annotated[
        str | None, typer.Option("--db", envvar="PTRCM_DATABASE_URL", help=DB_HELP)
    ] = None,
    org: Annotated[str, typer.Option("--org", help=ORG_HELP)] = "default",
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.text,
    fix: Annotated[bool, typer.Option("--fix", help=FIX_HELP)] = False,
    out_file: Annotated[str | None, typer.Option("--out", help="Where --fix writes.")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help=SELECT_HELP)] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help=IGNORE_HELP)] = None,
) -> None:
    """Check every visit against the rule catalog and the payer's rule pack.

    Exit 0 when no error-severity finding remains, 1 when one does, 2 on bad usage or input.
    With --fix the safe fixes are applied, the fixed visits written to --out, and the
    findings shown are those the fixed file still has.
    """
    if fix and not out_file:
        raise fail("--fix needs --out FIXED.jsonl (the input file is never changed)")
    if out_file and not fix:
        raise fail("--out is only used with --fix")
    try:
        code = _run(
            visits_file, config, db, org, as_of, fmt, out_file if fix else None, select, ignore
        )
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    raise typer.Exit(code)


def _run(
    visits_file: str,
    config_path: str | None,
    db: str | None,
    org: str,
    as_of: str | None,
    fmt: OutputFormat,
    out_file: str | None,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
) -> int:
    from ptrcm.bootstrap import build_context
    from ptrcm.rules.catalog import all_rules
    from ptrcm.rules.fixes import fix_visits
    from ptrcm.rules.icd10 import Icd10Codes
    from ptrcm.services.scrubbing import Scrubber
    from ptrcm.services.visit_files import read_visits, write_visits

    ctx = build_context(config_path)
    known = {r.id for r in all_rules()}
    for prefix in (*_ids(select), *_ids(ignore)):
        if not any(rule_id.startswith(prefix) for rule_id in known):
            raise fail(f"--select/--ignore {prefix!r}: no rule id starts with it")
    day = _as_of(as_of, lambda: clinic_today(ctx.config.clinic.timezone))
    visits = read_visits(visits_file)
    prior = _stored_history(db, org, visits) if db is not None else None
    scrubber = Scrubber(
        ctx.config, ctx.catalog, Icd10Codes(), day, select=_ids(select), ignore=_ids(ignore)
    )
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


def _stored_history(db: str, org: str, visits: Sequence[Visit]) -> dict[str, list[Visit]]:
    """Earlier visits of the input's patients from the database (never the input's own)."""
    from ptrcm.store.repository import Store

    store = Store.open(db)
    try:
        org_id = store.organization_id(org)
        if org_id is None:
            if org == "default":  # created by the first import; nothing stored yet
                return {}
            raise fail(f"--org {org!r}: no such organization in {db}")
        with store.unit_of_work(org_id, actor="cli:scrub") as uow:
            history = uow.visits.history(
                sorted({v.patient_id for v in visits}), exclude=[v.visit_id for v in visits]
            )
            uow.commit()  # the audit log's read events
        return history
    finally:
        store.close()


def report_note(message: str) -> None:
    sys.stderr.write(f"ptrcm: note: {message}\n")


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
