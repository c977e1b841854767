"""`ptrcm remit post`: post an 835 remittance (idempotent, all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, opened
from ptrcm.commands.options import Config, Db, Fmt, Org

if TYPE_CHECKING:
    from ptrcm.services.posting import PostingResult

app = typer.Typer(help="Remittances (835): post payments and adjustments.", no_args_is_help=True)

MAX_SHOWN = 20


@app.command("post")
def post_command(
    path: Annotated[str, typer.Argument(help="835 file.")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    outbox: Annotated[
        str, typer.Option("--outbox", help="Folder for secondary 837P claims.")
    ] = "var/outbox",
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Post an 835: payments, adjustments, reversals, PLB, queues and secondary claims.

    Posting the same file twice changes nothing. Exit 1 when something needs a person
    (unmatched or unbalanced claims, exceptions, reader findings); 2 for unusable input.
    """
    from ptrcm.services.posting import PostingOptions, post_remittance

    with opened(config=config, db=db, org=org) as root:
        options = PostingOptions(root.config, root.catalog, Path(outbox))
        result = post_remittance(root.unit_of_work, path, options)
    if fmt is OutputFormat.json:
        emit_json(result_json(result))
    else:
        _print(result)
    if not result.already_posted and result.needs_attention:
        raise typer.Exit(1)


def result_json(r: PostingResult) -> dict[str, Any]:
    return {
        "file": r.file, "sha256": r.sha256, "already_posted": r.already_posted,
        "transactions": r.transactions, "claims": r.claims, "posted": r.posted,
        "unmatched": r.unmatched, "unbalanced": r.unbalanced, "reversals": r.reversals,
        "denials": r.denials, "underpayments": r.underpayments, "paid": f"{r.paid:.2f}",
        "provider_adjustments": f"{r.provider_adjustments:.2f}",
        "ledger_entries": r.ledger_entries, "findings": r.findings, "exceptions": r.exceptions,
        "outcomes": r.outcomes, "secondary_claims": r.secondary_claims,
        "outbox_file": r.outbox_file,
    }  # fmt: skip


def _print(r: PostingResult) -> None:
    if r.already_posted:
        typer.echo(f"{r.file}: already posted (sha256 {r.sha256[:12]}); nothing changed")
        return
    typer.echo(
        f"{r.file}: {r.posted} of {r.claims} claims posted, paid {r.paid:.2f};"
        f" {r.unmatched} unmatched, {r.unbalanced} unbalanced, {r.reversals} reversals,"
        f" {r.denials} denials; provider adjustments {r.provider_adjustments:.2f};"
        f" {r.ledger_entries} ledger entries"
    )
    for label, items in (("finding", r.findings), ("exception", r.exceptions)):
        for item in items[:MAX_SHOWN]:
            typer.echo(f"  {label}: {item}")
        if len(items) > MAX_SHOWN:
            typer.echo(f"  ... and {len(items) - MAX_SHOWN} more {label}s")
    if r.outbox_file:
        typer.echo(f"  secondary claims {len(r.secondary_claims)} -> {r.outbox_file}")
