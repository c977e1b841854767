"""`ptrcm claims ...`: build, scrub, release, submit, list and show claims in the database."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    disclose,
    emit_json,
    fail,
    opened,
    parse_day,
    record_disclosure,
)  # fmt: skip
from ptrcm.commands.options import AsOf, Config, Db, Fmt, Org

app = typer.Typer(
    help="The claim lifecycle: build, scrub, release, submit, list, show; correct, void,"
    " write-off, approve, close."
)


@app.command("build")
def build_command(db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
                  fmt: Fmt = OutputFormat.text) -> None:  # fmt: skip
    """Claims (state built) from imported visits no claim names yet."""
    from ptrcm.services.claims.lifecycle import build_claims

    with opened(config=config, db=db, org=org) as root:
        result = build_claims(root.unit_of_work, root.config, root.catalog)
    if fmt is OutputFormat.json:
        emit_json({"built": len(result.built), "self_pay": result.self_pay,
                   "not_billable": [{"visit_id": v, "reason": r}
                                    for v, r in result.not_billable]})  # fmt: skip
        return
    typer.echo(f"{len(result.built)} claims built; {result.self_pay} self-pay visits not billed;"
               f" {len(result.not_billable)} visits cannot be billed")  # fmt: skip
    for visit_id, reason in result.not_billable[:20]:
        typer.echo(f"  {visit_id}: {reason}")


@app.command("scrub")
def scrub_command(
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes to held claims.")] = False,
    as_of: AsOf = None,
    fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Scrub built and held claims with the patients' stored history: ready or held."""
    from ptrcm.services.claims.lifecycle import scrub_claims

    with opened(config=config, db=db, org=org) as root:
        scrubber = root.scrubber(parse_day(as_of, "--as-of", root.clock.today))
        r = scrub_claims(root.unit_of_work, scrubber, root.config, root.catalog, fix=fix)
    if fmt is OutputFormat.json:
        emit_json({"scrubbed": r.scrubbed, "ready": r.ready, "held": r.held, "fixed": r.fixed,
                   "errors_by_rule": r.errors_by_rule})  # fmt: skip
    else:
        typer.echo(f"{r.scrubbed} claims scrubbed: {len(r.ready)} ready, {len(r.held)} held"
                   f" ({r.fixed} fixed by safe fixes)")  # fmt: skip
        for pcn in r.held[:20]:
            typer.echo(f"  held {pcn}")
    if r.held:
        raise typer.Exit(1)


@app.command("release")
def release_command(
    pcns: Annotated[list[str], typer.Argument(
        help="The held claims' patient control numbers (several: all or none).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the biller releases them.")],
    db: Db = None, org: Org = DEFAULT_ORG,
) -> None:  # fmt: skip
    """Release held claims to ready (a biller's decision, recorded with its reason); one
    that is not held, or has no line to bill, refuses the lot."""
    from ptrcm.services.work.held import release_many

    with opened(db=db, org=org) as root:
        done = release_many(root.unit_of_work, pcns, reason)
    for pcn in done:
        typer.echo(f"{pcn}: released to ready")


@app.command("submit")
def submit_command(
    outbox: Annotated[str, typer.Option("--outbox", help="Folder the 837 files go to.")],
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None, fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Ready claims into 837 batches (one per payer) in the outbox; state submitted."""
    from ptrcm.services.claims.lifecycle import submit_claims

    with opened(config=config, db=db, org=org) as root:
        batches = submit_claims(root.unit_of_work, root.config, root.catalog, outbox)
        if batches:  # the 837 files carry the patients' data out of the system
            disclose(root, "claims", action="export", files=len(batches),
                     claims=sum(len(b.claims) for b in batches))  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json([{"file": str(b.file), "payer": b.payer, "claims": len(b.claims),
                    "total_charge": str(b.total), "isa": b.isa} for b in batches])  # fmt: skip
        return
    if not batches:
        typer.echo("no ready claims to submit")
    for b in batches:
        typer.echo(f"{b.file}: {len(b.claims)} claims to {b.payer}, {b.total} (ISA {b.isa})")


@app.command("list")
def list_command(
    db: Db = None, org: Org = DEFAULT_ORG,
    state: Annotated[str | None, typer.Option("--state", help="Only claims in this state.")]
    = None,
    fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Claims with their state, payer, first date of service and charge."""
    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        heads = uow.lifecycle.claims_in([state] if state else None)
        record_disclosure(uow, "claims", claims=len(heads))
    rows = [{"pcn": h.pcn, "state": h.state, "payer": h.payer,
             "first_date_of_service": h.first_date_of_service.isoformat(),
             "total_charge": str(h.total_charge)} for h in heads]  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['pcn']:<20} {r['state']:<15} {r['payer']:<14}"
                   f" {r['first_date_of_service']} {r['total_charge']:>10}")  # fmt: skip
    typer.echo(f"{len(rows)} claims")


@app.command("show")
def show_command(
    pcn: Annotated[str, typer.Argument(help="Patient control number (CLM01).")],
    db: Db = None, org: Org = DEFAULT_ORG, fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """One claim: lines, state history (who, when, why) and its last scrub findings."""
    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        found = uow.claims.by_pcn([pcn]).get(pcn)
        if found is None:
            raise fail(f"no claim {pcn!r} in organization {org!r}")
        history = uow.claims.transitions(found.id)
        findings = uow.lifecycle.last_findings(found.id)
        record_disclosure(uow, "claims", found.pcn, patient_id=found.patient_id)
    data: dict[str, Any] = {
        "pcn": found.pcn, "state": found.state, "payer": found.payer_external_id,
        "total_charge": str(found.total_charge),
        "lines": [{"line": ln.line_number, "date": ln.date_of_service.isoformat(),
                   "code": ln.code, "modifiers": list(ln.modifiers), "units": ln.units,
                   "charge": str(ln.charge)} for ln in found.lines],
        "history": [{"from": h["from_state"], "to": h["to_state"], "actor": h["actor"],
                     "at": str(h["occurred_at"]), "reason": h["reason"]} for h in history],
        "findings": [{"rule": f["rule"], "severity": f["severity"], "message": f["message"]}
                     for f in findings],
    }  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(data)
        return
    typer.echo(f"{found.pcn} {found.state} {found.payer_external_id} {found.total_charge}")
    for ln in data["lines"]:
        typer.echo(f"  {ln['line']}. {ln['date']} {ln['code']} {','.join(ln['modifiers'])}"
                   f" x{ln['units']} {ln['charge']}")  # fmt: skip
    for h in data["history"]:
        typer.echo(f"  {h['at']} {h['from'] or '-'} -> {h['to']} by {h['actor']}: {h['reason']}")
    for f in data["findings"]:
        typer.echo(f"  finding {f['rule']} {f['severity']}: {f['message']}")
