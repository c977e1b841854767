"""`ptrcm serve` on a port another program holds: one line saying so and how to choose
another, before any "serving on" banner; on its own port, answers without Nagle delays."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.cli import SOURCES, ptrcm


def test_a_taken_port_is_named_with_the_way_to_choose_another(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert ptrcm("db", "upgrade", "--db", database).returncode == 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        done = ptrcm("serve", "--port", str(port), "--db", database, cwd=tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"port {port}" in done.stderr and "already in use" in done.stderr
    assert "--port" in done.stderr
    assert "serving on" not in done.stderr
    assert done.stderr.strip().count("\n") == 0


def test_keep_alive_answers_do_not_wait_for_a_delayed_ack(tmp_path: Path) -> None:
    """One worker serves on the bound socket with TCP_NODELAY: served from a bare fd,
    uvicorn took it for a Unix socket, Nagle held each answer's body until the client's
    delayed ACK (40 ms on Linux), and every request on a kept-alive connection took ≥ 40 ms
    (the first, on a new connection, did not)."""
    database = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert ptrcm("db", "upgrade", "--db", database).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    path = os.pathsep.join(p for p in (SOURCES, os.environ.get("PYTHONPATH")) if p)
    server = subprocess.Popen(
        [sys.executable, "-m", "ptrcm.cli", "serve", "--db", database, "--port", str(port)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            deadline = time.monotonic() + 90
            while True:
                try:
                    assert client.get("/healthz").status_code == 200
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, "ptrcm serve did not answer"
                    time.sleep(0.5)
            times = []
            for _ in range(10):  # the same connection each time
                began = time.perf_counter()
                assert client.get("/healthz").status_code == 200
                times.append(time.perf_counter() - began)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=60)
    assert min(times) < 0.030, f"fastest kept-alive answer {min(times) * 1000:.0f} ms"
    assert "Started server process" in stderr
