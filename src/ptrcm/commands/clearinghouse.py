"""`ptrcm clearinghouse send|poll|status`: files to and from a clearinghouse over SFTP."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    disclose,
    emit_json,
    opened,
    parse_day,
)
from ptrcm.commands.options import Config, Db, Fmt, Org

if TYPE_CHECKING:
    from ptrcm.bootstrap import Root
    from ptrcm.services.clearinghouse.transfer import Channel

app = typer.Typer(help="Clearinghouse connectivity over SFTP: send, poll, status.")

Name = Annotated[str, typer.Argument(help="The connector: a [clearinghouse.<name>] section.")]
Spool = Annotated[
    Path,
    typer.Option("--spool", help="Local folder of the connector's outbox and fetched files."),
]
NoSubmit = Annotated[
    bool,
    typer.Option("--no-submit", help="Upload waiting files only; make no new 837 batch."),
]


def _channel(root: Root, name: str, spool: Path) -> Channel:
    from ptrcm.interfaces.clearinghouse_channel import open_channel

    return open_channel(root.config, name, spool)


@app.command("send")
def send_command(name: Name, spool: Spool, submit: NoSubmit = False, db: Db = None,
                 org: Org = DEFAULT_ORG, config: Config = None,
                 fmt: Fmt = OutputFormat.text) -> None:  # fmt: skip
    """Ready claims of the connector's pilot into 837 batches; upload every waiting file."""
    from ptrcm.services.clearinghouse.transfer import send

    with opened(config=config, db=db, org=org) as root:
        channel = _channel(root, name, spool)
        result = send(channel, root.unit_of_work, root.unit_of_work, root.config,
                      root.catalog, submit=not submit)  # fmt: skip
        if result.sent:  # the files carry the patients' data out of the system
            disclose(root, "clearinghouse", action="export", files=len(result.sent))
    if fmt is OutputFormat.json:
        emit_json({"batches": result.batches, "sent": result.sent})
        return
    typer.echo(f"{len(result.batches)} new 837 batches; {len(result.sent)} files sent to {name}")
    for remote in result.sent:
        typer.echo(f"  {remote}")


@app.command("poll")
def poll_command(name: Name, spool: Spool, db: Db = None, org: Org = DEFAULT_ORG,
                 config: Config = None, fmt: Fmt = OutputFormat.text) -> None:  # fmt: skip
    """Fetch the connector's new answers once each, post them, move them to done/failed."""
    from ptrcm.services.clearinghouse.transfer import PollWork, poll
    from ptrcm.services.remittance.posting import PostingOptions

    with opened(config=config, db=db, org=org) as root:
        channel = _channel(root, name, spool)
        posting = PostingOptions(
            root.config, root.catalog, outbox=channel.folder("secondary"), outcomes=False
        )
        work = PollWork(root.unit_of_work, root.unit_of_work, root.unit_of_work, posting,
                        root.clock.today)  # fmt: skip
        result = poll(channel, work)
    if fmt is OutputFormat.json:
        emit_json({"fetched": result.fetched, "posted": result.posted,
                   "failed": result.failed, "summaries": result.summaries})  # fmt: skip
        return
    typer.echo(f"{len(result.fetched)} fetched, {len(result.posted)} posted,"
              f" {len(result.failed)} failed from {name}")  # fmt: skip
    for remote in result.failed:
        typer.echo(f"  failed: {remote}: {result.summaries[remote].get('error', '')}")


@app.command("request-status")
def request_status_command(name: Name, spool: Spool, through: Annotated[str, typer.Option(
        "--through", help="Ask about claims with a first date of service up to this day.")],
        db: Db = None, org: Org = DEFAULT_ORG, config: Config = None) -> None:  # fmt: skip
    """276 claim-status requests (one per payer) into the connector's outbox; send uploads them."""
    from ptrcm.services.clearinghouse.status_requests import request_claim_status

    with opened(config=config, db=db, org=org) as root:
        channel = _channel(root, name, spool)
        day = parse_day(through, "--through", root.clock.today)
        files = request_claim_status(root.unit_of_work, root.config, channel.connector,
                                     channel.folder("outbox"), day)  # fmt: skip
        if files:
            disclose(root, "clearinghouse", action="export", files=len(files))
    for path in files:
        typer.echo(str(path))
    if not files:
        typer.echo("no submitted claim to ask about")


@app.command("status")
def status_command(db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
                   fmt: Fmt = OutputFormat.text) -> None:  # fmt: skip
    """Each configured connector: its pilot, last success, last error, files by status."""
    from ptrcm.services.clearinghouse.status import connector_status

    with opened(config=config, db=db, org=org) as root:
        rows = connector_status(root.unit_of_work, root.config.clearinghouses)
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    if not rows:
        typer.echo("no clearinghouse connector configured")
    for row in rows:
        typer.echo(_line(row))


def _line(row: dict[str, Any]) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(row["files"].items())) or "no files"
    error = f"; last error {row['last_error_at']}: {row['last_error']}" if row["last_error"] else ""
    return (f"{row['connector']} ({row['host']}): last success {row['last_success_at'] or '-'}"
            f"; {counts}{error}")  # fmt: skip
