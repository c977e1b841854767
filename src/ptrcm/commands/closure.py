"""`ptrcm claims correct|void|write-off|approve|close` and `ptrcm appeals sent`: working a
denied or paid claim to its end. Each is attributed to ``ptrcm --as USER`` and recorded
in the claim's history and the audit trail.

Write-offs: a biller applies one up to the biller limit (100.00); above it the write-off
waits for ``claims approve`` by a manager or admin (someone other than the requester). The
role is the ``--as`` user's role; on a database without user accounts the operator acts
as a manager.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, fail, opened, parse_amount, parse_day
from ptrcm.commands.appeals import app as appeals_app
from ptrcm.commands.appeals import record_command
from ptrcm.commands.claims import app as claims_app
from ptrcm.commands.options import AsOf, Config, Db, Org

Pcn = Annotated[str, typer.Argument(help="The claim's patient control number (CLM01).")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the claim's history).")]
LINE_HELP = (
    "A line to change, LINE:units=N or LINE:modifiers=GP+KX (repeatable); lines not named"
    " are sent as billed."
)


def _changes(specs: list[str]) -> dict[int, object]:
    from ptrcm.services.work.replacements import LineChange

    out: dict[int, LineChange] = {}
    for spec in specs:
        number, _, change = spec.partition(":")
        name, _, value = change.partition("=")
        if not number.isdigit() or name not in ("units", "modifiers") or not value:
            raise fail(f"--line {spec!r}: write LINE:units=N or LINE:modifiers=GP+KX")
        if name == "units" and not value.isdigit():
            raise fail(f"--line {spec!r}: units must be a whole number")
        old = out.get(int(number), LineChange())
        if name == "units":
            out[int(number)] = LineChange(int(value), old.modifiers)
        else:
            out[int(number)] = LineChange(old.units, tuple(m for m in value.split("+") if m))
    return dict(out)


@claims_app.command("correct")
def correct_command(
    pcn: Pcn,
    reason: Reason,
    line: Annotated[list[str] | None, typer.Option("--line", help=LINE_HELP)] = None,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Replace an adjudicated claim by a corrected one (frequency 7, REF*F8 = the payer's
    claim number); `claims scrub` and `claims submit` send it."""
    from ptrcm.services.work.replacements import correct_claim

    changes = _changes(line or [])
    with opened(config=config, db=db, org=org) as root:
        new = correct_claim(root.unit_of_work, pcn, reason, changes)  # type: ignore[arg-type]
    typer.echo(f"claim {pcn} corrected: replacement {new} (frequency 7) built")


@claims_app.command("void")
def void_command(
    pcn: Pcn, reason: Reason, db: Db = None, org: Org = DEFAULT_ORG, config: Config = None
) -> None:
    """Void a claim: an adjudicated one with a frequency-8 claim to the payer (sent by
    `claims scrub` and `claims submit`), one never adjudicated at home."""
    from ptrcm.services.work.replacements import void_claim

    with opened(config=config, db=db, org=org) as root:
        sent = void_claim(root.unit_of_work, pcn, reason)
    if sent is None:
        typer.echo(f"claim {pcn} voided (the payer never adjudicated it: nothing to send)")
    else:
        typer.echo(f"claim {pcn} voided: void claim {sent} (frequency 8) built")


@claims_app.command("write-off")
def write_off_command(
    pcn: Pcn,
    amount: Annotated[str, typer.Option("--amount", help="The amount given up, e.g. 25.00.")],
    category: Annotated[str, typer.Option("--category", help=(
        "timely_filing, no_authorization, non_covered, small_balance, medical_necessity,"
        " bad_debt or other."))],
    reason: Reason,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None, as_of: AsOf = None,
) -> None:  # fmt: skip
    """Write off part or all of a claim: applied (ledger entry, claim closed) within your
    limit, else pending a manager's `claims approve`."""
    from ptrcm.services.work.closure import write_off

    value = parse_amount(amount, "--amount")
    with opened(config=config, db=db, org=org) as root:
        day = parse_day(as_of, "--as-of", root.clock.today)
        wid, state = write_off(root.unit_of_work, pcn, value, category, reason, day,
                               root.actor_role)  # fmt: skip
    if state == "approved":
        typer.echo(f"write-off {wid} of {value} on claim {pcn} applied; claim closed")
    else:
        typer.echo(f"write-off {wid} of {value} on claim {pcn} waits for a manager's approval")


@claims_app.command("approve")
def approve_command(
    write_off_id: Annotated[int, typer.Argument(help="The pending write-off's id.")],
    refuse: Annotated[bool, typer.Option("--refuse", help="Refuse it instead.")] = False,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Approve (or refuse) a pending write-off: a manager or admin, not its requester."""
    from ptrcm.services.work.closure import approve_write_off

    with opened(config=config, db=db, org=org) as root:
        state = approve_write_off(root.unit_of_work, write_off_id, root.actor_role, not refuse)
    typer.echo(f"write-off {write_off_id} {state}")


@claims_app.command("close")
def close_command(
    pcn: Pcn, reason: Reason, db: Db = None, org: Org = DEFAULT_ORG, config: Config = None
) -> None:
    """Close a claim: nothing more to collect from this payer."""
    from ptrcm.services.work.closure import close_claim

    with opened(config=config, db=db, org=org) as root:
        close_claim(root.unit_of_work, pcn, reason)
    typer.echo(f"claim {pcn} closed")


@appeals_app.command("sent")
def sent_command(
    pcn: Pcn,
    method: Annotated[str, typer.Option("--method", help="mail, fax, portal or edi.")],
    on: Annotated[str | None, typer.Option("--on", help="The day it went out (default: today).")]
    = None,
    letter: Annotated[str | None, typer.Option("--letter", help=(
        "The letter as sent, if edited (a text file); default: the letter as generated."))] = None,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Mark the claim's appeal sent (its letter made by `appeals letter`): the claim is
    appealed and the denial follow-up is measured from that day."""
    from ptrcm.services.work.closure import appeal_sent

    text = None
    if letter is not None:
        try:
            text = Path(letter).read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(f"--letter {letter}: {exc.strerror}") from None
    with opened(config=config, db=db, org=org) as root:
        day = parse_day(on, "--on", root.clock.today)
        appeal = appeal_sent(root.unit_of_work, pcn, day, method, text)
    typer.echo(f"appeal {appeal} of claim {pcn} sent by {method} on {day}")


appeals_app.command(
    "outcome",
    help="Record an appeal's outcome (won, lost, partial; the same as `appeals record`); a"
    " later 835 paying the claim is linked to it.",
)(record_command)
