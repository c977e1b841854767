"""The paramiko file-drop adapter against a real OpenSSH sshd on loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sshd_server import SSHD, SshdServer, start_sshd, stop_sshd

pytest.importorskip("paramiko")
pytestmark = pytest.mark.skipif(not SSHD.exists(), reason="/usr/sbin/sshd absent (openssh-server)")

from ptrcm.interfaces.sftp import SftpDrop, SftpEndpoint  # noqa: E402
from ptrcm.services.clearinghouse.ports import TransportDown, TransportRefused  # noqa: E402


@pytest.fixture()
def sshd(tmp_path: Path) -> Iterator[SshdServer]:
    server = start_sshd(tmp_path / "sshd")
    for folder in ("outbound", "inbound", "done", "failed"):
        (server.root / folder).mkdir()
    yield server
    stop_sshd(server)


def _endpoint(server: SshdServer, **changes: object) -> SftpEndpoint:
    values: dict[str, object] = {
        "name": "TESTCH",
        "host": server.host,
        "port": server.port,
        "user": server.user,
        "key_file": server.user_key,
        "known_host_key": server.host_public_key,
        "timeout_seconds": 5.0,
    }
    values.update(changes)
    return SftpEndpoint(**values)  # type: ignore[arg-type]


def test_write_list_read_move(sshd: SshdServer) -> None:
    drop = SftpDrop(_endpoint(sshd))
    try:
        out = f"{sshd.root}/outbound"
        drop.write(out, "batch1.837", b"ISA*00*~")
        assert [f.name for f in drop.list_files(out)] == ["batch1.837"]
        assert drop.read(out, "batch1.837") == b"ISA*00*~"
        drop.move(out, "batch1.837", f"{sshd.root}/done")
        assert drop.list_files(out) == []
        assert (sshd.root / "done" / "batch1.837").read_bytes() == b"ISA*00*~"
    finally:
        drop.close()


def test_a_wrong_key_is_a_one_line_refusal(sshd: SshdServer, tmp_path: Path) -> None:
    other = tmp_path / "wrong_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    with pytest.raises(TransportRefused) as caught:
        SftpDrop(_endpoint(sshd, key_file=other))
    message = str(caught.value)
    assert "\n" not in message
    assert "refused key wrong_key" in message and "TESTCH" in message


def test_a_changed_host_key_is_refused(sshd: SshdServer, tmp_path: Path) -> None:
    impostor = tmp_path / "impostor"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(impostor)], check=True)
    pinned = " ".join(impostor.with_suffix(".pub").read_text().split()[:2])
    with pytest.raises(TransportRefused, match="host key does not match"):
        SftpDrop(_endpoint(sshd, known_host_key=pinned))


def test_nothing_listening_is_retryable(sshd: SshdServer) -> None:
    stop_sshd(sshd)
    # Refused at connect, or (a stopping server) reset during the banner: both retryable.
    with pytest.raises(TransportDown, match="clearinghouse TESTCH"):
        SftpDrop(_endpoint(sshd))
