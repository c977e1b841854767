"""`ptrcm claims ...`: build, scrub, release, submit, list and show claims in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail
from ptrcm.commands.db import DB_HELP, DEFAULT_ORG, actor, open_store, organization
from ptrcm.errors import PtrcmError

if TYPE_CHECKING:
    from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork
    from ptrcm.store.repository import Store

app = typer.Typer(help="The claim lifecycle: build, scrub, release, submit, list, show.")

ORG_HELP = "Organization (tenant) slug."
Org = Annotated[str, typer.Option("--org", envvar="PTRCM_ORG", help=ORG_HELP)]
Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
Fmt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
Config = Annotated[str | None, typer.Option("--config", help="ptrcm.toml (default: built-in).")]


def _with_store(db: str | None, org: str) -> tuple[Store, int]:
    store = open_store(db)
    org_id = organization(store, org)
    return store, org_id


def _factory(store: Store, org_id: int) -> Callable[[], ClaimsUnitOfWork]:
    from ptrcm.store.claims_lifecycle import claims_unit_of_work

    def make() -> ClaimsUnitOfWork:
        return claims_unit_of_work(store, org_id, actor())

    return make


@app.command("build")
def build_command(db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
                  fmt: Fmt = OutputFormat.text) -> None:  # fmt: skip
    """Claims (state built) from imported visits no claim names yet."""
    from ptrcm.bootstrap import build_context
    from ptrcm.services.claims import build_claims

    ctx = build_context(config)
    store, org_id = _with_store(db, org)
    try:
        result = build_claims(_factory(store, org_id), ctx.config, ctx.catalog)
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
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
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")]
    = None,
    fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Scrub built and held claims with the patients' stored history: ready or held."""
    from ptrcm.bootstrap import build_context
    from ptrcm.commands.scrub import clinic_today
    from ptrcm.rules.icd10 import Icd10Codes
    from ptrcm.services.claims import scrub_claims
    from ptrcm.services.scrubbing import Scrubber

    ctx = build_context(config)
    try:
        day = date.fromisoformat(as_of) if as_of else clinic_today(ctx.config.clinic.timezone)
    except ValueError:
        raise fail(f"--as-of {as_of!r}: must be a date YYYY-MM-DD") from None
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), day)
    store, org_id = _with_store(db, org)
    try:
        r = scrub_claims(_factory(store, org_id), scrubber, ctx.config, ctx.catalog, fix=fix)
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
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
    pcn: Annotated[str, typer.Argument(help="The held claim's patient control number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the biller releases it.")],
    db: Db = None, org: Org = DEFAULT_ORG,
) -> None:  # fmt: skip
    """Release a held claim to ready (a biller's decision, recorded with its reason)."""
    from ptrcm.services.claims import release_claim

    store, org_id = _with_store(db, org)
    try:
        release_claim(_factory(store, org_id), pcn, reason)
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"{pcn}: released to ready")


@app.command("submit")
def submit_command(
    outbox: Annotated[str, typer.Option("--outbox", help="Folder the 837 files go to.")],
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None, fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Ready claims into 837 batches (one per payer) in the outbox; state submitted."""
    from ptrcm.bootstrap import build_context
    from ptrcm.services.claims import submit_claims

    ctx = build_context(config)
    store, org_id = _with_store(db, org)
    try:
        batches = submit_claims(_factory(store, org_id), ctx.config, ctx.catalog, outbox)
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
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
    store, org_id = _with_store(db, org)
    try:
        with _factory(store, org_id)() as uow:
            heads = uow.lifecycle.claims_in([state] if state else None)
    finally:
        store.close()
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
    store, org_id = _with_store(db, org)
    try:
        with _factory(store, org_id)() as uow:
            found = uow.claims.by_pcn([pcn]).get(pcn)
            if found is None:
                raise fail(f"no claim {pcn!r} in organization {org!r}")
            history = uow.claims.transitions(found.id)
            findings = uow.lifecycle.last_findings(found.id)
    finally:
        store.close()
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
