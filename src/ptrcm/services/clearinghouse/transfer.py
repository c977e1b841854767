"""Send files to a clearinghouse and poll its answers (plain functions a job can call).

``send``: the ready claims in the connector's pilot (its payers and locations) become 837
batches in the connector's local outbox (``<spool>/<connector>/outbox``); every file
waiting there (837s, and 270/276 requests put there) is uploaded to the remote outbound
folder under the connector's naming pattern, written under a temporary name and renamed
(the adapter's ``write``), recorded ``sending`` before and ``sent`` after, then moved to
``outbox/sent``. A retry after a drop uploads the same file under the same remote name.

``poll``: each file in the remote inbound folder is fetched once: a name already recorded
is not read again; a new one is read, hashed and recorded ``fetched`` (and kept under
``<spool>/<connector>/inbox``) before anything is posted. The fetched files are posted in
the order an answer arrives (999, 277CA, 277, 271, 835) through the posting services,
which keep their own integrity rules (SHA-256 of each file, business identity of each
payment); then each is marked ``posted`` or ``failed`` and moved to the remote done or
failed folder. A connection lost anywhere is retried with backoff (``retry.py``): the
records make every step safe to run again, so nothing is fetched or posted twice.

Each run notes the connector's last success or its last error (one line, no patient data).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.clearinghouse import Connector, TrackedFile
from ptrcm.domain.codes import Catalog
from ptrcm.errors import PtrcmError
from ptrcm.services.claims.acks import post_acknowledgments
from ptrcm.services.claims.lifecycle import submit_claims
from ptrcm.services.claims.ports import ClaimsWork
from ptrcm.services.clearinghouse.ports import (
    ClearinghouseWork,
    EligibilityTransaction,
    FileDrop,
    FileDropOpener,
)
from ptrcm.services.clearinghouse.retry import Backoff, with_retries
from ptrcm.services.front_desk.eligibility import post_271
from ptrcm.services.money_in_ports import MoneyInWork
from ptrcm.services.remittance.posting import PostingOptions, post_remittance
from ptrcm.x12.read import read_x12

OUTGOING = (".837", ".270", ".276")
POST_ORDER = ("999", "277CA", "277", "271", "835")


@dataclass(frozen=True, slots=True)
class Channel:
    """One connector with its session opener, local spool folder, backoff and sleep."""

    connector: Connector
    opener: FileDropOpener
    spool: Path
    backoff: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], None] = lambda seconds: None

    def folder(self, name: str) -> Path:
        path = self.spool / self.connector.name / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass(frozen=True, slots=True)
class PollWork:
    """The units of work polling posts through: its own records, money-in, eligibility."""

    records: ClearinghouseWork
    money_in: MoneyInWork
    eligibility: Callable[[], EligibilityTransaction]
    posting: PostingOptions
    today: Callable[[], date]


@dataclass(slots=True)
class SendResult:
    batches: list[str] = field(default_factory=list)  # 837 files made from ready claims
    sent: list[str] = field(default_factory=list)  # remote names uploaded


@dataclass(slots=True)
class PollResult:
    fetched: list[str] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


def _noted(records: ClearinghouseWork, connector: str, action: str, run: Callable[[], Any]) -> Any:
    """Run ``run``; note the connector's success or its one-line error, then re-raise."""
    try:
        out = run()
    except PtrcmError as exc:
        with records() as uow:
            uow.clearinghouse.note(connector, action, str(exc).splitlines()[0][:300])
            uow.commit()
        raise
    with records() as uow:
        uow.clearinghouse.note(connector, action, None)
        uow.commit()
    return out


def send(
    channel: Channel, claims: ClaimsWork, records: ClearinghouseWork, config: Config,
    catalog: Catalog, *, submit: bool = True,
) -> SendResult:  # fmt: skip
    """Submit the pilot's ready claims into the outbox, then upload every waiting file."""
    result = SendResult()
    outbox = channel.folder("outbox")
    if submit:
        batches = submit_claims(claims, config, catalog, outbox, scope=channel.connector.covers)
        result.batches = [b.file.name for b in batches]
    name = channel.connector.name

    def waiting() -> list[Path]:
        return sorted(p for p in outbox.iterdir() if p.is_file() and p.suffix in OUTGOING)

    def upload(drop: FileDrop) -> None:
        for path in waiting():
            result.sent.append(_upload(channel, records, drop, path))

    if not waiting():
        return result  # nothing to upload: no session is opened
    _noted(records, name, "send", lambda: with_retries(
        channel.opener, upload, channel.backoff, channel.sleep))  # fmt: skip
    return result


def _upload(channel: Channel, records: ClearinghouseWork, drop: FileDrop, path: Path) -> str:
    c = channel.connector
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    remote = c.remote_name(path.name, sha)  # the same name on every retry
    with records() as uow:
        found = uow.clearinghouse.find(c.name, "out", remote, sha)
        if found is None:
            file_id = uow.clearinghouse.add_file(c.name, "out", remote, path.name, sha,
                                                 path.suffix[1:], "sending")  # fmt: skip
            uow.commit()
        else:
            file_id = found.id
    if found is None or found.status == "sending":
        drop.write(c.outbound, remote, data)
        with records() as uow:
            uow.clearinghouse.set_status(file_id, "sent", {"bytes": len(data)})
            uow.commit()
    os.replace(path, channel.folder("outbox/sent") / path.name)
    return remote


def poll(channel: Channel, work: PollWork) -> PollResult:
    """Fetch each new inbound file once, post it, move it to done or failed."""
    result = PollResult()
    c = channel.connector

    def run(drop: FileDrop) -> None:
        remote = drop.list_files(c.inbound)
        for item in remote:
            _fetch(channel, work, drop, item.name, result)
        _post_fetched(channel, work, result)
        present = {item.name for item in remote}
        with work.records() as uow:
            finished = [uow.clearinghouse.find(c.name, "in", n) for n in sorted(present)]
        for tracked in finished:
            if tracked is not None and tracked.status in ("posted", "failed"):
                target = c.done if tracked.status == "posted" else c.failed
                drop.move(c.inbound, tracked.remote_name, target)

    _noted(work.records, c.name, "poll", lambda: with_retries(
        channel.opener, run, channel.backoff, channel.sleep))  # fmt: skip
    return result


def _fetch(channel: Channel, work: PollWork, drop: FileDrop, name: str,
           result: PollResult) -> None:  # fmt: skip
    c = channel.connector
    with work.records() as uow:
        if uow.clearinghouse.find(c.name, "in", name) is not None:
            return  # fetched before: posted, failed, or waiting to be posted below
    data = drop.read(c.inbound, name)
    sha = hashlib.sha256(data).hexdigest()
    local = channel.folder(f"inbox/{sha[:16]}") / name
    local.write_bytes(data)
    kind = _kind(data, name)
    with work.records() as uow:
        uow.clearinghouse.add_file(c.name, "in", name, str(local.relative_to(channel.spool)),
                                   sha, kind, "fetched")  # fmt: skip
        uow.commit()
    result.fetched.append(name)


def _kind(data: bytes, name: str) -> str:
    try:
        return read_x12(data, source=name).kind
    except PtrcmError:
        return "unknown"


def _post_fetched(channel: Channel, work: PollWork, result: PollResult) -> None:
    c = channel.connector
    with work.records() as uow:
        waiting = uow.clearinghouse.files(c.name, "in", "fetched", limit=10_000)
    rank = {k: i for i, k in enumerate(POST_ORDER)}
    for tracked in sorted(waiting, key=lambda t: (rank.get(t.kind, 99), t.id)):
        path = channel.spool / tracked.local_name
        try:
            summary = _post(work, tracked, path)
            status = "posted"
        except PtrcmError as exc:
            summary, status = {"error": str(exc).splitlines()[0][:300]}, "failed"
        with work.records() as uow:
            uow.clearinghouse.set_status(tracked.id, status, summary)
            uow.commit()
        (result.posted if status == "posted" else result.failed).append(tracked.remote_name)
        result.summaries[tracked.remote_name] = summary


def _post(work: PollWork, tracked: TrackedFile, path: Path) -> dict[str, Any]:
    if tracked.kind in ("999", "277CA", "277"):
        ack = post_acknowledgments(work.money_in, [path])[0]
        return {"kind": ack.kind, "accepted": ack.accepted, "rejected": ack.rejected,
                "unmatched": len(ack.unmatched), "already_posted": ack.already_posted}  # fmt: skip
    if tracked.kind == "835":
        remit = post_remittance(work.money_in, path, work.posting)
        return {"kind": "835", "claims": remit.claims, "posted": remit.posted,
                "paid": str(remit.paid), "unmatched": remit.unmatched,
                "already_posted": remit.already_posted}  # fmt: skip
    if tracked.kind == "271":
        with work.eligibility() as uow:
            benefits = post_271(uow, path.read_bytes(), path.name, work.today())
            uow.commit()
        return {"kind": "271", "snapshots": benefits.snapshots, "unmatched": benefits.unmatched}
    raise UnroutableFile(f"{tracked.remote_name}: not a 999, 277CA, 277, 271 or 835 file")


class UnroutableFile(PtrcmError):
    """A fetched file of a kind polling does not post (it goes to the failed folder)."""
