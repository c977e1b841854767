"""`ptrcm ack post`: post a 999 or 277CA acknowledgment (idempotent, all or nothing)."""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, opened
from ptrcm.commands.options import Db, Fmt, Org

app = typer.Typer(
    help="Acknowledgments (999, 277CA): rejections and acceptances.", no_args_is_help=True
)


@app.command("post")
def post_command(
    path: Annotated[str, typer.Argument(help="999 or 277CA file.")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Post a 999 or 277CA: rejected claims go to the rejections queue with the reason.

    Exit 1 when claims were rejected or could not be matched; 2 for unusable input.
    """
    from ptrcm.services.claims.acks import post_acknowledgment

    with opened(db=db, org=org) as root:
        r = post_acknowledgment(root.unit_of_work, path)
    if fmt is OutputFormat.json:
        emit_json(
            {
                "file": r.file,
                "kind": r.kind,
                "sha256": r.sha256,
                "already_posted": r.already_posted,
                "accepted": r.accepted,
                "rejected": r.rejected,
                "unmatched": r.unmatched,
                "findings": r.findings,
            }
        )
    elif r.already_posted:
        typer.echo(f"{path}: already posted (sha256 {r.sha256[:12]}); nothing changed")
    else:
        typer.echo(
            f"{path}: {r.kind}: {r.accepted} accepted, {r.rejected} rejected,"
            f" {len(r.unmatched)} unmatched"
        )
        for item in r.findings[:20]:
            typer.echo(f"  finding: {item}")
    if not r.already_posted and (r.rejected or r.unmatched):
        raise typer.Exit(1)
