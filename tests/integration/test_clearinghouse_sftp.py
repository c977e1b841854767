"""Clearinghouse send and poll against a real OpenSSH sshd, on SQLite and PostgreSQL.

A synthetic clinic's claims are built and made ready; ``send`` submits those of the
connector's pilot (two payers) and uploads the 837s (the session dies before the second
upload, which is retried once); the payer simulator answers each
uploaded 837 and its 999, 277CA and 835 are dropped in the remote inbound folder; ``poll``
fetches and posts them. The session is killed on the server side twice during a poll (once
before a read, once before a move): the poll retries, each file is read once in full and
posted once, and a second poll changes nothing. A wrong key is one clear line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.sshd_server import SSHD, SshdServer, start_sshd, stop_sshd

pytest.importorskip("paramiko")
pytestmark = pytest.mark.skipif(not SSHD.exists(), reason="/usr/sbin/sshd absent (openssh-server)")

from ptrcm.bootstrap import build_context  # noqa: E402
from ptrcm.domain.clearinghouse import Connector  # noqa: E402
from ptrcm.domain.lifecycle import ClaimState  # noqa: E402
from ptrcm.interfaces.sftp import SftpDrop, SftpEndpoint  # noqa: E402
from ptrcm.rules.icd10 import Icd10Codes  # noqa: E402
from ptrcm.services.claims import lifecycle  # noqa: E402
from ptrcm.services.claims.scrubbing import Scrubber  # noqa: E402
from ptrcm.services.clearinghouse.ports import FileDrop, RemoteFile, TransportRefused  # noqa: E402
from ptrcm.services.clearinghouse.retry import Backoff  # noqa: E402
from ptrcm.services.clearinghouse.status_requests import request_claim_status  # noqa: E402
from ptrcm.services.clearinghouse.transfer import Channel, PollWork, poll, send  # noqa: E402
from ptrcm.services.demo.payers import member_file, simulators  # noqa: E402
from ptrcm.services.intake.appointments import import_synth_companions  # noqa: E402
from ptrcm.services.intake.visits import import_visits  # noqa: E402
from ptrcm.services.remittance.posting import PostingOptions  # noqa: E402
from ptrcm.store.claims_lifecycle import claims_unit_of_work  # noqa: E402
from ptrcm.store.repository import Store  # noqa: E402
from ptrcm.store.tables import (  # noqa: E402
    ack_files,
    acknowledgments,
    claims,
    clearinghouse_files,
    remittance_files,
)
from ptrcm.synth import SynthOptions, write_synth  # noqa: E402
from ptrcm.synth.payer_status import answer_276  # noqa: E402
from ptrcm.x12.ack999.write import GroupResult, SetResult, write_999  # noqa: E402
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings  # noqa: E402

PILOT = ("MEDICARE", "COMMERCIAL")
RECEIVED = date(2025, 11, 3)


@pytest.fixture()
def sshd(tmp_path: Path) -> Iterator[SshdServer]:
    server = start_sshd(tmp_path / "sshd")
    for folder in ("outbound", "inbound", "done", "failed"):
        (server.root / folder).mkdir()
    yield server
    stop_sshd(server)


def _connector(server: SshdServer, **changes: Any) -> Connector:
    root = server.root
    c = Connector(
        "TESTCH", server.host, server.port, server.user, server.user_key,
        server.host_public_key, f"{root}/outbound", f"{root}/inbound", f"{root}/done",
        f"{root}/failed", file_name="{connector}_{hash}_{name}", payers=PILOT,
        locations=("MAIN",),
    )  # fmt: skip
    return replace(c, **changes)


def _opener(connector: Connector) -> Any:
    endpoint = SftpEndpoint(connector.name, connector.host, connector.port, connector.user,
                            connector.key_file, connector.host_key, 5.0)  # fmt: skip
    return lambda: SftpDrop(endpoint)


def _kill_sessions(server: SshdServer) -> int:
    """SIGKILL the sshd processes serving connections (the listener's children)."""
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.process.pid:
            os.kill(int(entry.name), signal.SIGKILL)
            killed += 1
    return killed


class _Watched:
    """A real SFTP session whose server side is killed just before chosen calls."""

    def __init__(self, inner: SftpDrop, flaky: _Flaky) -> None:
        self.inner, self.flaky = inner, flaky

    def _maybe_drop(self, call: str) -> None:
        self.flaky.calls[call] += 1
        if (call, self.flaky.calls[call]) in self.flaky.drops:
            assert _kill_sessions(self.flaky.server) >= 1
            self.flaky.dropped += 1

    def list_files(self, folder: str) -> list[RemoteFile]:
        return self.inner.list_files(folder)

    def read(self, folder: str, name: str) -> bytes:
        self._maybe_drop("read")
        data = self.inner.read(folder, name)
        self.flaky.reads[name] += 1  # completed reads only
        return data

    def write(self, folder: str, name: str, data: bytes) -> None:
        self._maybe_drop("write")
        self.inner.write(folder, name, data)

    def move(self, folder: str, name: str, to_folder: str) -> None:
        self._maybe_drop("move")
        self.inner.move(folder, name, to_folder)

    def close(self) -> None:
        self.inner.close()


class _Flaky:
    def __init__(self, server: SshdServer, connector: Connector,
                 drops: set[tuple[str, int]]) -> None:  # fmt: skip
        self.server, self.open, self.drops = server, _opener(connector), drops
        self.calls: Counter[str] = Counter()
        self.reads: Counter[str] = Counter()
        self.sessions = self.dropped = 0

    def __call__(self) -> FileDrop:
        self.sessions += 1
        return _Watched(self.open(), self)


def _clinic(store: Store, folder: Path) -> tuple[Any, Any, Any]:
    """A synthetic clinic imported, its claims built and ready (no scrub rule)."""
    visits = folder / "clinic" / "visits.jsonl"
    visits.parent.mkdir(parents=True)
    summary = write_synth(SynthOptions(10, 1, seed=5, start=date(2025, 10, 1), locations=2,
                                       defect_rate=0.0), visits)  # fmt: skip
    org = store.create_organization("default")
    uow = lambda: claims_unit_of_work(store, org, "test")  # noqa: E731
    context = build_context()
    config, catalog = context.config, context.catalog
    import_visits(uow, visits)
    import_synth_companions(uow, visits)
    lifecycle.build_claims(uow, config, catalog)
    scrubber = Scrubber(config, catalog, Icd10Codes(), lambda v: v.date_of_service, rules=())
    lifecycle.scrub_claims(uow, scrubber, config, catalog, states=(ClaimState.BUILT,))
    master = json.loads(Path(summary.files["master"]).read_text(encoding="utf-8"))
    records = [json.loads(x) for x in visits.read_text(encoding="utf-8").splitlines()]
    return uow, config, simulators(config, member_file(master, records), 5)


def _states(store: Store) -> Counter[tuple[str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(claims.c.state, claims.c.payer_id)).all()
    return Counter(str(r[0]) for r in rows)  # type: ignore[misc]


def _count(store: Store, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _answer(server: SshdServer, sims: dict[str, Any]) -> dict[str, str]:
    """The payer simulator's answers to every uploaded 837, dropped in the inbound folder."""
    dropped: dict[str, str] = {}
    for path in sorted((server.root / "outbound").iterdir()):
        payer = path.name.split("_", 2)[2].split("-")[0]
        answer = sims[payer].answer(path.read_text(encoding="ascii"), path.name, RECEIVED)
        for name, body in answer.files.items():
            (server.root / "inbound" / name).write_text(body, encoding="ascii", newline="")
            dropped[name] = body
    return dropped


def test_a_batch_goes_out_and_the_answers_post_once_through_drops(
    store: Store, sshd: SshdServer, tmp_path: Path
) -> None:
    uow, config, sims = _clinic(store, tmp_path)
    context = build_context()
    ready_before = _states(store)[ClaimState.READY.value]
    connector = _connector(sshd)
    uploads = _Flaky(sshd, connector, {("write", 2)})  # the second upload's session dies
    channel = Channel(connector, uploads, tmp_path / "spool",
                      Backoff(attempts=4, first_delay_seconds=0.01))  # fmt: skip
    sent = send(channel, uow, uow, config, context.catalog)
    assert uploads.dropped == 1 and uploads.sessions == 2 and uploads.calls["write"] == 3
    assert sorted(p.split("-")[0] for p in sent.batches) == sorted(PILOT)
    uploaded = sorted(p.name for p in (sshd.root / "outbound").iterdir())
    assert uploaded == sorted(sent.sent) and len(uploaded) == 2
    assert all(n.startswith("TESTCH_") and n.endswith(".837") for n in uploaded)
    assert not list((sshd.root / "outbound").glob(".*"))  # no partial file left
    # claims of payers outside the pilot (MEDICARE_ADV here) stay ready
    with store.engine.connect() as conn:
        left = conn.execute(select(claims.c.pcn).where(claims.c.state == "ready")).all()
    assert 0 < len(left) < ready_before
    assert send(channel, uow, uow, config, context.catalog).sent == []  # nothing twice
    with store.engine.connect() as conn:
        rows = conn.execute(select(clearinghouse_files.c.status)).scalars().all()
    assert rows == ["sent", "sent"]

    dropped = _answer(sshd, sims)
    assert {n.rsplit(".", 1)[1] for n in dropped} == {"999", "277ca", "835"}
    flaky = _Flaky(sshd, connector, {("read", 2), ("move", 1)})
    sleeps: list[float] = []
    channel = Channel(connector, flaky, tmp_path / "spool",
                      Backoff(attempts=4, first_delay_seconds=0.01), sleeps.append)  # fmt: skip
    posting = PostingOptions(config, context.catalog, outbox=tmp_path / "secondary")
    work = PollWork(uow, uow, uow, posting, lambda: RECEIVED)
    result = poll(channel, work)

    assert flaky.dropped == 2 and flaky.sessions == 3 and sleeps == [0.01, 0.02]
    assert flaky.reads == Counter({name: 1 for name in dropped})  # each read once in full
    assert sorted(result.fetched) == sorted(dropped) and result.failed == []
    assert sorted(result.posted) == sorted(dropped)
    assert sorted(p.name for p in (sshd.root / "done").iterdir()) == sorted(dropped)
    assert list((sshd.root / "inbound").iterdir()) == []
    acks = sum(1 for n in dropped if not n.endswith(".835"))
    remits = sum(1 for n in dropped if n.endswith(".835"))
    assert _count(store, ack_files) == acks and _count(store, remittance_files) == remits
    assert _count(store, clearinghouse_files) == len(uploaded) + len(dropped)
    states = _states(store)
    assert states[ClaimState.SUBMITTED.value] == 0  # every submitted claim was answered
    assert states[ClaimState.PAID.value] + states[ClaimState.PARTIALLY_PAID.value] > 0

    # The clearinghouse sends the same files again (say, a restore): fetched once more
    # under the same name? No: known by name, moved straight to done, nothing posted.
    for name, body in dropped.items():
        (sshd.root / "inbound" / name).write_text(body, encoding="ascii", newline="")
    again = poll(Channel(connector, _opener(connector), tmp_path / "spool"), work)
    assert again.fetched == [] and again.posted == []
    assert list((sshd.root / "inbound").iterdir()) == []
    assert _count(store, ack_files) == acks and _count(store, remittance_files) == remits
    assert _states(store) == states
    assert poll(Channel(connector, _opener(connector), tmp_path / "spool"), work).fetched == []


def test_276_requests_go_out_and_277_answers_post_to_claim_states(
    store: Store, sshd: SshdServer, tmp_path: Path
) -> None:
    uow, config, sims = _clinic(store, tmp_path)
    context = build_context()
    connector = _connector(sshd)
    channel = Channel(connector, _opener(connector), tmp_path / "spool")
    send(channel, uow, uow, config, context.catalog)
    # Only the 999s come back: the claims are accepted, no 277CA gave a payer claim number
    for path in sorted((sshd.root / "outbound").iterdir()):
        payer = path.name.split("_", 2)[2].split("-")[0]
        answer = sims[payer].answer(path.read_text(encoding="ascii"), path.name, RECEIVED)
        stem = path.name.rsplit(".", 1)[0]
        (sshd.root / "inbound" / f"{stem}.999").write_text(answer.files[f"{stem}.999"])
        path.unlink()
    work = PollWork(uow, uow, uow, PostingOptions(config, context.catalog), lambda: RECEIVED)
    poll(channel, work)
    accepted = _states(store)[ClaimState.ACCEPTED.value]
    assert accepted > 0 and _states(store)[ClaimState.SUBMITTED.value] == 0

    files = request_claim_status(uow, config, connector, channel.folder("outbox"), RECEIVED)
    assert sorted(f.name.split("-")[0] for f in files) == sorted(PILOT)
    sent = send(channel, uow, uow, config, context.catalog, submit=False)
    assert sorted(n.rsplit(".", 1)[1] for n in sent.sent) == ["276", "276"]
    for path in sorted((sshd.root / "outbound").iterdir()):
        text = path.read_text(encoding="ascii")
        assert "GS*HR*" in text and "*005010X212~" in text and "TRN*1*" in text
        payer = path.name.split("_", 2)[2].split("-")[0]
        for name, body in answer_276(sims[payer], text, path.name, RECEIVED).items():
            (sshd.root / "inbound" / name).write_text(body, encoding="ascii", newline="")
    (sshd.root / "inbound" / "notes.txt").write_text("not an X12 file\n")
    result = poll(channel, work)
    assert len(result.posted) == 2 and result.failed == ["notes.txt"]
    assert result.summaries["notes.txt"] == {
        "error": "notes.txt: not a 999, 277CA, 277, 271 or 835 file"
    }
    assert [p.name for p in (sshd.root / "failed").iterdir()] == ["notes.txt"]
    assert all(result.summaries[n]["kind"] == "277" for n in result.posted)
    # No payer claim number was known, so the payer found none: A4 rejects each claim
    rejected = sum(result.summaries[n]["rejected"] for n in result.posted)
    assert rejected == accepted and _states(store)[ClaimState.REJECTED.value] == accepted
    with store.engine.connect() as conn:
        kinds = Counter(conn.execute(select(acknowledgments.c.kind)).scalars())
    assert kinds["277"] == accepted


def _config_file(tmp_path: Path, sshd: SshdServer, key: Path) -> Path:
    root = sshd.root
    config = tmp_path / "ptrcm.toml"
    config.write_text(
        "[clearinghouse.TESTCH]\n"
        f'host = "{sshd.host}"\nport = {sshd.port}\nuser = "{sshd.user}"\n'
        f'key_file = "{key}"\nhost_key = "{sshd.host_public_key}"\n'
        f'outbound = "{root}/outbound"\ninbound = "{root}/inbound"\n'
        f'done = "{root}/done"\nfailed = "{root}/failed"\npayers = ["MEDICARE"]\n',
        encoding="utf-8",
    )
    return config


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "ptrcm.cli", "clearinghouse", *args]
    return subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=60)


def test_the_commands_send_a_waiting_file_and_poll_an_answer(
    store: Store, sshd: SshdServer, tmp_path: Path, db_url: str
) -> None:
    store.create_organization("default")
    common = ["--db", db_url, "--config", str(_config_file(tmp_path, sshd, sshd.user_key))]
    spool = tmp_path / "spool"
    (spool / "TESTCH" / "outbox").mkdir(parents=True)
    (spool / "TESTCH" / "outbox" / "MEDICARE-000000007.270").write_text("ISA*00*~")
    sent = _cli("send", "TESTCH", "--spool", str(spool), "--no-submit", *common, "--format", "json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout) == {"batches": [], "sent": ["MEDICARE-000000007.270"]}
    assert (sshd.root / "outbound" / "MEDICARE-000000007.270").read_text() == "ISA*00*~"
    ack = write_999([GroupResult("HC", "41", "005010X222A1",
                                 (SetResult("837", "0001", "005010X222A1"),))],
                    EnvelopeSettings("PAYER", "CLINIC", "PAYER", "EDI", "8005550100"),
                    CounterControlNumbers(), datetime(2026, 3, 2, 9, 0))  # fmt: skip
    (sshd.root / "inbound" / "answer.999").write_text(ack, encoding="ascii", newline="")
    polled = _cli("poll", "TESTCH", "--spool", str(spool), *common)
    assert polled.returncode == 0, polled.stderr
    assert polled.stdout.strip() == "1 fetched, 1 posted, 0 failed from TESTCH"
    assert [p.name for p in (sshd.root / "done").iterdir()] == ["answer.999"]
    assert _count(store, ack_files) == 1  # posted: its set matched no batch (an exception)
    status = _cli("status", *common)
    assert status.returncode == 0 and "TESTCH (127.0.0.1:" in status.stdout
    assert "in posted 1, out sent 1" in status.stdout


def test_a_wrong_key_is_one_clear_line_and_the_status_keeps_it(
    store: Store, sshd: SshdServer, tmp_path: Path, db_url: str
) -> None:
    store.create_organization("default")
    other = tmp_path / "wrong_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    common = ["--db", db_url, "--config", str(_config_file(tmp_path, sshd, other))]
    run = _cli("poll", "TESTCH", "--spool", str(tmp_path / "s"), *common)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines == [
        f"ptrcm: error: clearinghouse TESTCH ({sshd.host}:{sshd.port}):"
        f" the server refused key wrong_key for user {sshd.user}"
    ]
    status = _cli("status", *common, "--format", "json")
    assert status.returncode == 0, status.stderr
    (row,) = json.loads(status.stdout)
    assert row["connector"] == "TESTCH" and row["last_action"] == "poll"
    assert row["last_success_at"] is None and row["last_error"] == lines[0].removeprefix(
        "ptrcm: error: "
    )
    with pytest.raises(TransportRefused):  # the service itself: no retry on a refusal
        connector = _connector(sshd, key_file=other)
        uow = lambda: claims_unit_of_work(store, store.organization_id("default") or 0, "t")  # noqa: E731
        context = build_context()
        work = PollWork(uow, uow, uow, PostingOptions(context.config, context.catalog),
                        lambda: RECEIVED)  # fmt: skip
        sleeps: list[float] = []
        try:
            poll(Channel(connector, _opener(connector), tmp_path / "s", Backoff(),
                         sleeps.append), work)  # fmt: skip
        finally:
            assert sleeps == []
