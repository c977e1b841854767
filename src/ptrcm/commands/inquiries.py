"""`ptrcm inquiries open|answer|list`: the patient-inquiry log behind the patient-inquiry
service level of the review pack (docs/review-pack.md). Codes only: the question's text
is never stored."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, fail, opened
from ptrcm.commands.options import Config, Db, Fmt, Org

app = typer.Typer(help="The patient-inquiry log (billing questions opened and answered).",
                  no_args_is_help=True)  # fmt: skip

CHANNEL_HELP = "phone, portal, email, mail or in_person."
AT_HELP = "When it happened, YYYY-MM-DDTHH:MM in the clinic's time zone (default: now)."


def _at(text: str | None, zone: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--at {text!r}: must be a time YYYY-MM-DDTHH:MM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    if moment > datetime.now(UTC):
        raise fail(f"--at {text!r}: is in the future")
    return moment.astimezone(UTC)


TOPIC_HELP = "balance, statement, insurance, payment_plan, estimate or other."


@app.command("open")
def open_inquiry(
    channel: Annotated[str, typer.Option("--channel", help=CHANNEL_HELP)],
    topic: Annotated[str, typer.Option("--topic", help=TOPIC_HELP)],
    patient: Annotated[str | None, typer.Option("--patient", help="Patient id (MRN).")] = None,
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Log a patient's billing inquiry; prints its id."""
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        new_id = uow.inquiries.open(patient, channel, topic, _at(at, root.config.clinic.timezone))
        uow.commit()
    sys.stdout.write(f"inquiry {new_id} opened\n")


@app.command()
def answer(
    inquiry_id: Annotated[int, typer.Argument(help="The inquiry's id.")],
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Mark an inquiry answered (now, by the operator)."""
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        if not uow.inquiries.answer(inquiry_id, _at(at, root.config.clinic.timezone)):
            raise fail(f"inquiry {inquiry_id}: no such open inquiry")
        uow.commit()
    sys.stdout.write(f"inquiry {inquiry_id} answered\n")


@app.command("list")
def list_inquiries(
    open_only: Annotated[bool, typer.Option("--open", help="Only unanswered ones.")] = False,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Inquiries: id, channel, topic, opened and answered times."""
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        rows = uow.inquiries.listing(open_only)
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        answered = (
            "open" if r["answered_at"] is None else f"answered {r['answered_at']:%Y-%m-%d %H:%M}"
        )
        sys.stdout.write(f"#{r['id']} {r['channel']:<9} {r['topic']:<12}"
                         f" opened {r['opened_at']:%Y-%m-%d %H:%M}, {answered}\n")  # fmt: skip
