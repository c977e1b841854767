"""`ptrcm appeals ...`: the denial queue, appeal letters, and appeal outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    disclose,
    emit_json,
    opened,
    parse_amount,
    parse_day,
)  # fmt: skip
from ptrcm.commands.options import AsOf, Config, Db, Fmt, Org

app = typer.Typer(help="Appeals: denial queue, letters, sent, outcomes.", no_args_is_help=True)


@app.command("queue")
def queue_command(
    db: Db = None,
    org: Org = DEFAULT_ORG,
    as_of: AsOf = None,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Open denials ordered by dollars and deadline."""
    from ptrcm.services.remittance.appeals import appeal_queue

    with opened(config=config, db=db, org=org) as root:
        rows = appeal_queue(root.unit_of_work, parse_day(as_of, "--as-of", root.clock.today))
        disclose(root, "appeals", claims=len(rows))
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
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    as_of: AsOf = None,
) -> None:
    """The appeal letter for the claim's denial, with the documentation checklist."""
    from ptrcm.services.remittance.appeals import appeal_letter

    with opened(config=config, db=db, org=org) as root:
        day = parse_day(as_of, "--as-of", root.clock.today)
        text = appeal_letter(root.unit_of_work, claim_id, day, root.config, root.catalog)
        disclose(root, "claims", claim_id, action="export" if out else "read",
                 document="appeal letter")  # fmt: skip
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
    config: Config = None,
) -> None:
    """Record an appeal's outcome; a later 835 paying the claim is linked to it."""
    from ptrcm.services.remittance.appeals import record_outcome

    recovered = parse_amount(amount, "--amount")
    with opened(config=config, db=db, org=org) as root:
        day = parse_day(as_of, "--as-of", root.clock.today)
        appeal = record_outcome(root.unit_of_work, claim_id, outcome, recovered, day)
    typer.echo(f"appeal {appeal} of claim {claim_id}: {outcome}, recovered {recovered}")
