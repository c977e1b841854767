"""`ptrcm chart-audit run|reaudit|show|feedback|kpis`: documentation audits scored against
the criteria catalog (docs/chart-audit.md). Not `ptrcm audit`, which searches the audit
trail of who read and changed what."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    emit_json,
    fail,
    opened,
    out,
    parse_day,
    record_disclosure,
)
from ptrcm.commands.options import Config, Db, Fmt, Org

if TYPE_CHECKING:
    from ptrcm.services.chart_audit.audits import AuditRun

app = typer.Typer(help="Documentation audits (chart audits) and therapist feedback.",
                  no_args_is_help=True)  # fmt: skip


@app.command("run")
def run(
    start: Annotated[str, typer.Option("--from", help="First date of service (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last date of service (YYYY-MM-DD).")],
    method: Annotated[str, typer.Option(help="random (seeded) or risk.")] = "random",
    episodes: Annotated[int, typer.Option(help="How many episodes to sample.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of a random sample.")] = 0,
    name: Annotated[str | None, typer.Option(help="A name for the audit.")] = None,
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Sample episodes of the period and score every record; exit 1 when any record has a
    significant finding."""
    from ptrcm.services.chart_audit.audits import start_audit

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        today = root.clock.today
        result = start_audit(
            uow, start=parse_day(start, "--from", today), end=parse_day(end, "--to", today),
            method=method, episodes=episodes, seed=seed, name=name,
        )  # fmt: skip
    _print_run(result, fmt)


@app.command("reaudit")
def reaudit_cmd(
    audit_id: Annotated[int, typer.Argument(help="The audit's number.")],
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Score the audit's records again as stored now (after correction): the next round."""
    from ptrcm.services.chart_audit.audits import reaudit

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        result = reaudit(uow, audit_id)
    _print_run(result, fmt)


def _print_run(result: AuditRun, fmt: OutputFormat) -> None:
    failed = [s for s in result.scores if not s.passed]
    if fmt is OutputFormat.json:
        emit_json({"audit": result.audit_id, "round": result.round, "episodes": result.episodes,
                   "records": len(result.scores), "passed": result.passed,
                   "findings": [{"visit_id": s.visit_id, "criterion": f.criterion_id,
                                 "severity": f.severity} for s in result.scores
                                for f in s.findings]})  # fmt: skip
    else:
        out.print(
            f"audit {result.audit_id} round {result.round}: {result.episodes} episode(s),"
            f" {len(result.scores)} record(s), {result.passed} passed", markup=False,
        )  # fmt: skip
        for s in result.scores:
            for f in s.findings:
                out.print(f"  {s.visit_id}  {f.criterion_id}  {f.severity}  {f.title}",
                          markup=False)  # fmt: skip
    if failed:
        raise typer.Exit(1)


@app.command("show")
def show_cmd(
    audit_id: Annotated[int | None, typer.Argument(help="An audit (default: list them).")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """List the audits, or one audit's results by round."""
    from ptrcm.services.chart_audit.audits import show

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        if audit_id is None:
            audits = uow.chart_audits.all()
            rows = [{"audit": a.id, "name": a.spec.name, "method": a.spec.method,
                     "from": a.spec.period_start.isoformat(), "to": a.spec.period_end.isoformat(),
                     "episodes": a.spec.episodes, "criteria_version": a.spec.criteria_version}
                    for a in audits]  # fmt: skip
            results: list[Any] = []
        else:
            audit, results = show(uow, audit_id)
            rows = []
            record_disclosure(uow, "chart_audits", str(audit_id), records=len(results))
    if audit_id is None:
        if fmt is OutputFormat.json:
            emit_json(rows)
        for r in rows if fmt is OutputFormat.text else ():
            out.print(f"{r['audit']}  {r['name']}  {r['method']}  {r['episodes']} episode(s)"
                      f"  criteria {r['criteria_version']}", markup=False)  # fmt: skip
        return
    data = [{"visit_id": r.visit_id, "round": r.round, "therapist": r.therapist,
             "location": r.location, "passed": r.passed, "criteria_version": r.criteria_version,
             "findings": [c for c, _ in r.findings]} for r in results]  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json({"audit": audit.id, "name": audit.spec.name, "results": data})
        return
    out.print(f"audit {audit.id}: {audit.spec.name} (criteria {audit.spec.criteria_version})",
              markup=False)  # fmt: skip
    for d in data:
        mark = "pass" if d["passed"] else "FAIL"
        found = " ".join(d["findings"]) or "-"
        out.print(f"  r{d['round']}  {d['visit_id']}  {d['therapist']}  {mark}  {found}",
                  markup=False)  # fmt: skip


@app.command("feedback")
def feedback_cmd(
    audit_id: Annotated[int, typer.Argument(help="The audit's number.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")],
    pdf: Annotated[bool, typer.Option(help="Also write a PDF per therapist.")] = True,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """One report per therapist (HTML, and PDF): strengths, most frequent findings and
    de-identified excerpts from the therapist's own notes."""
    from ptrcm.services.chart_audit.feedback import render_html, render_pdf, therapist_feedback

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        audit = uow.chart_audits.get(audit_id)
        if audit is None:
            raise fail(f"no chart audit {audit_id}")
        reports = therapist_feedback(uow, audit_id)
        uow.commit()  # the audit log's reads of the visits
    out_dir.mkdir(parents=True, exist_ok=True)
    version = audit.spec.criteria_version
    for i, f in enumerate(reports, start=1):
        stem = out_dir / f"feedback-{audit_id}-{i:02d}"
        stem.with_suffix(".html").write_text(render_html(f, audit_id, version), encoding="utf-8")
        if pdf:
            render_pdf(f, audit_id, version, stem.with_suffix(".pdf"))
        out.print(f"{stem.name}: {f.name or f.therapist}, {f.records} record(s),"
                  f" {len(f.findings)} finding kind(s)", markup=False)  # fmt: skip


@app.command("kpis")
def kpis_cmd(
    by: Annotated[str, typer.Option(help="therapist or location.")] = "therapist",
    audit_id: Annotated[int | None, typer.Option("--audit", help="One audit only.")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Audit pass rate (records without a significant finding) by therapist or location."""
    from ptrcm.services.chart_audit.kpis import GROUPS, pass_rates

    if by not in GROUPS:
        raise fail(f"--by must be one of {', '.join(GROUPS)}")
    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        rates = pass_rates(uow.chart_audits.results(audit_id), by)
    if fmt is OutputFormat.json:
        emit_json([{by: r.group, "records": r.records, "passed": r.passed,
                    "pass_rate": None if r.rate is None else str(r.rate),
                    "significant_findings": r.significant_findings} for r in rates])  # fmt: skip
        return
    for r in rates:
        rate = "—" if r.rate is None else f"{r.rate:.2%}"
        out.print(f"{r.group}  {r.passed}/{r.records}  {rate}", markup=False)


def _register() -> None:
    from ptrcm.commands.records_requests import recoup, request, requests_kpis

    app.add_typer(request, name="request")
    app.add_typer(recoup, name="recoup")
    app.command("requests-kpis")(requests_kpis)


_register()
