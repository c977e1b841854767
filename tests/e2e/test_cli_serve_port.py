"""`ptrcm serve` on a port another program holds: one line saying so and how to choose
another, before any "serving on" banner."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.e2e.cli import ptrcm


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
