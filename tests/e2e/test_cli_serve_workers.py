"""`ptrcm serve --workers 2`: two worker processes answer on the one port, connections are
spread over them, and stopping the command stops them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.cli import SOURCES, ptrcm


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _two_workers(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """`ptrcm serve --workers 2` on a fresh database and a free port (stderr piped)."""
    database = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert ptrcm("db", "upgrade", "--db", database).returncode == 0
    port = _free_port()
    path = os.pathsep.join(p for p in (SOURCES, os.environ.get("PYTHONPATH")) if p)
    server = subprocess.Popen(
        [sys.executable, "-m", "ptrcm.cli", "serve", "--db", database, "--port", str(port),
         "--workers", "2"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    return server, port


def test_two_workers_serve_the_one_port(tmp_path: Path) -> None:
    server, port = _two_workers(tmp_path)
    try:
        answers = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(answers) < 5:
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5))
            except httpx.HTTPError:
                time.sleep(0.5)
        assert [a.status_code for a in answers] == [200] * 5
        anonymous = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert anonymous.status_code == 303  # to the sign-in page, as with one worker
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=60)
    assert "with 2 workers" in stderr
    assert stderr.count("Started server process") == 2


def _is_worker(pid: int) -> bool:
    """A worker process (not multiprocessing's resource tracker, also a child)."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes()
    return b"spawn_main" in command and b"resource_tracker" not in command


def _connections_per_process(pids: list[int], port: int) -> dict[int, int]:
    """How many established TCP connections to ``port`` each process holds (Linux /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                    inodes.add(fields[9])
    held = {}
    for pid in pids:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                links.append(os.readlink(fd))
        held[pid] = sum(1 for link in links if link[8:-1] in inodes and link.startswith("socket:"))
    return held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")
def test_kept_alive_connections_are_spread_over_the_workers(tmp_path: Path) -> None:
    """Each worker accepts on its own socket of a SO_REUSEPORT group: 40 connections opened
    one after another land on both workers (on one shared socket, the worker that wakes
    first took most of them, and keep-alive kept them there)."""
    server, port = _two_workers(tmp_path)
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) for _ in range(40)]
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
            workers = [int(p) for p in children.read_text().split() if _is_worker(int(p))]
            time.sleep(0.5)
        for client in clients:  # each opens its connection and keeps it
            ready = time.monotonic() + 60
            while True:
                try:
                    assert client.get("/healthz").status_code == 200
                    break
                except httpx.HTTPError:
                    if time.monotonic() > ready:
                        raise
                    time.sleep(0.5)
        held = _connections_per_process(workers, port)
        assert sum(held.values()) == 40, held
        assert min(held.values()) >= 5, held  # by chance alone: about 1 in 5 million
    finally:
        for client in clients:
            client.close()
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
