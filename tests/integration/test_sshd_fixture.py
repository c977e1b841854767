"""The real sshd the clearinghouse SFTP tests run against: key login works, a wrong key fails."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sshd_server import SSHD, SshdServer, start_sshd, stop_sshd

paramiko = pytest.importorskip("paramiko")
pytestmark = pytest.mark.skipif(not SSHD.exists(), reason="/usr/sbin/sshd absent (openssh-server)")


@pytest.fixture()
def sshd(tmp_path: Path) -> Iterator[SshdServer]:
    server = start_sshd(tmp_path / "sshd")
    yield server
    stop_sshd(server)


def _connect(server: SshdServer, key_path: Path):  # type: ignore[no-untyped-def]
    transport = paramiko.Transport((server.host, server.port))
    kind, blob = server.host_public_key.split()
    expected = paramiko.PKey.from_type_string(kind, __import__("base64").b64decode(blob))
    transport.connect(
        hostkey=expected, username=server.user, pkey=paramiko.PKey.from_path(key_path)
    )
    return transport


def test_sftp_round_trip_with_the_user_key(sshd: SshdServer) -> None:
    transport = _connect(sshd, sshd.user_key)
    try:
        sftp = paramiko.SFTPClient.from_transport(transport)
        target = f"{sshd.root}/hello.txt"
        sftp.putfo(io.BytesIO(b"ISA*00~"), target)
        assert Path(target).read_bytes() == b"ISA*00~"
        assert "hello.txt" in sftp.listdir(str(sshd.root))
    finally:
        transport.close()


def test_a_key_not_in_authorized_keys_is_refused(sshd: SshdServer, tmp_path: Path) -> None:
    import subprocess

    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    with pytest.raises(paramiko.AuthenticationException):
        _connect(sshd, other)
