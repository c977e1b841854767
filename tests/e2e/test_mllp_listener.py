"""`ptrcm listen hl7` on a loopback port: a real socket carries MLLP-framed DFT^P03
messages on one connection; each is answered AA (stored, or unchanged when sent again)
or AE (quarantined, the reason in MSA-3 and ERR, no patient data); the listener stops on
SIGTERM and what it stored is in the database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ptrcm.domain.visits import Visit
from ptrcm.interfaces.hl7_write import dft_message, dft_segments
from tests.e2e.cli import SOURCES, ptrcm
from tests.unit.interfaces.clinic import synthetic_clinic

START, END = b"\x0b", b"\x1c\r"


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[int, str]]:
    database = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert ptrcm("db", "upgrade", "--db", database).returncode == 0
    path = os.pathsep.join(p for p in (SOURCES, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "ptrcm.cli", "listen", "hl7", "--port", "0", "--db", database]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=tmp_path)  # fmt: skip
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert banner.startswith("listening for HL7 (MLLP) on 127.0.0.1:"), proc.stderr.read()
        yield int(banner.rsplit(":", 1)[1]), database
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped after" in out


def _exchange(sock: socket.socket, message: str) -> list[list[str]]:
    sock.sendall(START + message.encode("utf-8") + END)
    data = b""
    while not data.endswith(END):
        chunk = sock.recv(65536)
        assert chunk, "the listener closed the connection"
        data += chunk
    assert data.startswith(START)
    segments = data[1:-2].decode("utf-8").strip("\r").split("\r")
    return [s.split("|") for s in segments]


def _msa(ack: list[list[str]]) -> list[str]:
    return next(s for s in ack if s[0] == "MSA")


def test_messages_are_acknowledged_aa_or_ae(listener: tuple[int, str], tmp_path: Path) -> None:
    port, database = listener
    _, visits = synthetic_clinic(tmp_path / "clinic", patients=4)
    good: list[Visit] = visits[:3]
    bad_segments = dft_segments(visits[3], "BAD1")
    no_pid = "\r".join(s for s in bad_segments if not s.startswith("PID"))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for i, v in enumerate(good):
            ack = _exchange(sock, dft_message(v, f"OK{i}"))
            assert ack[0][8].startswith("ACK")
            assert _msa(ack)[1:3] == ["AA", f"OK{i}"]
        refused = _exchange(sock, no_pid)
        msa = _msa(refused)
        assert msa[1:3] == ["AE", "BAD1"]
        assert "PID" in msa[3] and "no PID" in msa[3]
        assert any(s[0] == "ERR" for s in refused)
        assert visits[3].patient is None or visits[3].patient.last_name not in "|".join(msa)
        again = _exchange(sock, dft_message(good[0], "OK0-again"))  # same visit: unchanged
        assert _msa(again)[1] == "AA"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:  # a new connection
        assert _msa(_exchange(sock, "not an HL7 message"))[1] == "AE"
    engine = create_engine(database)
    with engine.connect() as conn:
        stored = sorted(conn.execute(text("select external_id from visits")).scalars())
        quarantined = conn.execute(text("select source_file from import_quarantine")).scalars()
        sources = sorted(quarantined)
    engine.dispose()
    assert stored == sorted(v.visit_id for v in good)
    assert sources == ["mllp", "mllp:BAD1"]
