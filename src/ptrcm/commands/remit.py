"""`ptrcm remit post`: post an 835 remittance (posted once, all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, opened
from ptrcm.commands.options import Config, Db, Fmt, Org

if TYPE_CHECKING:
    from ptrcm.services.remittance.posting import PostingResult

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

    A payment is posted once. The same file again changes nothing (exit 0).
    A payment or claim payment already posted from another file (same payer,
    TRN02 trace, amount and date; same CLP01, CLP07, status and amount) posts
    no money: it is reported as "already posted", naming the original, and
    goes to the exceptions queue (exit 1). Two postings at once wait for each
    other. Exit 1 when something needs a person (duplicates, unmatched or
    unbalanced claims, exceptions, reader findings); 2 for unusable input.
    """
    from ptrcm.services.remittance.posting import PostingOptions, post_remittance

    with opened(config=config, db=db, org=org) as root:
        outcomes = fmt is OutputFormat.json  # only the JSON lists each claim's outcome
        options = PostingOptions(root.config, root.catalog, Path(outbox), outcomes=outcomes)
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
        "duplicates": r.duplicates, "outcomes": r.outcomes, "secondary_claims": r.secondary_claims,
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
    if r.duplicates:
        typer.echo(
            f"  {len(r.duplicates)} already posted (duplicate payments or claim payments);"
            " no money posted for them, each is an exception item"
        )
    duplicates = set(r.duplicates)
    exceptions = [e for e in r.exceptions if e not in duplicates]
    for label, items in (("finding", r.findings), ("duplicate", r.duplicates),
                         ("exception", exceptions)):  # fmt: skip
        for item in items[:MAX_SHOWN]:
            typer.echo(f"  {label}: {item}")
        if len(items) > MAX_SHOWN:
            typer.echo(f"  ... and {len(items) - MAX_SHOWN} more {label}s")
    if r.outbox_file:
        typer.echo(f"  secondary claims {len(r.secondary_claims)} -> {r.outbox_file}")
