"""`ptrcm serve --workers 2`: two worker processes answer on the one port, and stopping the
command stops them."""

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_workers_serve_the_one_port(tmp_path: Path) -> None:
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
