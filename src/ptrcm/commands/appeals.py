"""`ptrcm appeals ...`: the denial queue, appeal letters, and appeal outcomes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, parse_amount
from ptrcm.commands.db import DB_HELP, DEFAULT_ORG, actor, open_store, organization

app = typer.Typer(help="Appeals: denial queue, letters, outcomes.", no_args_is_help=True)

Org = Annotated[str, typer.Option("--org", envvar="PTRCM_ORG", help="Organization slug.")]
Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Today (YYYY-MM-DD).")]


def _as_of(text: str | None) -> date:
    return date.fromisoformat(text) if text else date.today()


@app.command("queue")
def queue_command(
    db: Db = None,
    org: Org = DEFAULT_ORG,
    as_of: AsOf = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.text,
) -> None:
    """Open denials ordered by dollars and deadline."""
    from ptrcm.services.appeals import appeal_queue
    from ptrcm.store.money_in_uow import money_in_unit_of_work

    store = open_store(db)
    try:
        org_id = organization(store, org)
        rows = appeal_queue(lambda: money_in_unit_of_work(store, org_id, actor()), _as_of(as_of))
    finally:
        store.close()
    if fmt is OutputFormat.json:
        emit_json(
            [
                {
                    "claim": r.claim,
                    "amount": f"{r.amount:.2f}",
                    "due": r.due.isoformat(),
                    "days_left": r.days_left,
                    "score": f"{r.score:.2f}",
                    "carc": r.carc,
                    "reason": r.reason,
                }
                for r in rows
            ]
        )
        return
    for r in rows:
        typer.echo(f"{r.claim}\t{r.amount:.2f}\tdue {r.due}\t{r.days_left} days\tCARC {r.carc}")


@app.command("letter")
def letter_command(
    claim_id: Annotated[str, typer.Argument(help="Claim id (patient control number).")],
    out: Annotated[str | None, typer.Option("--out", help="Write the letter here.")] = None,
    config: Annotated[str | None, typer.Option(help="ptrcm.toml (default: built-in).")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    as_of: AsOf = None,
) -> None:
    """The appeal letter for the claim's denial, with the documentation checklist."""
    from ptrcm.bootstrap import build_context
    from ptrcm.services.appeals import appeal_letter
    from ptrcm.store.money_in_uow import money_in_unit_of_work

    ctx = build_context(config)
    store = open_store(db)
    try:
        org_id = organization(store, org)
        text = appeal_letter(
            lambda: money_in_unit_of_work(store, org_id, actor()),
            claim_id,
            _as_of(as_of),
            ctx.config,
            ctx.catalog,
        )
    finally:
        store.close()
    if out:
        Path(out).write_text(text, encoding="utf-8")
        typer.echo(f"letter for {claim_id} written to {out}")
    else:
        typer.echo(text)


@app.command("record")
def record_command(
    claim_id: Annotated[str, typer.Argument(help="Claim id (patient control number).")],
    outcome: Annotated[str, typer.Option("--outcome", help="won, lost or partial.")],
    amount: Annotated[str, typer.Option("--amount", help="Amount recovered.")] = "0.00",
    db: Db = None,
    org: Org = DEFAULT_ORG,
    as_of: AsOf = None,
) -> None:
    """Record an appeal's outcome; a later 835 paying the claim is linked to it."""
    from ptrcm.services.appeals import record_outcome
    from ptrcm.store.money_in_uow import money_in_unit_of_work

    recovered = parse_amount(amount, "--amount")
    store = open_store(db)
    try:
        org_id = organization(store, org)
        appeal = record_outcome(
            lambda: money_in_unit_of_work(store, org_id, actor()),
            claim_id,
            outcome,
            recovered,
            _as_of(as_of),
        )
    finally:
        store.close()
    typer.echo(f"appeal {appeal} of claim {claim_id}: {outcome}, recovered {recovered}")
