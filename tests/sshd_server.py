"""A throw-away OpenSSH sshd on a loopback port for the SFTP tests (issue 14).

The server gets its own host key, user key, authorized_keys and sshd_config in a temporary
folder: no PAM, public-key login only, the internal-sftp subsystem. Tests skip with a reason
when /usr/sbin/sshd is absent (.ci/run installs Debian's openssh-server).
"""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")


@dataclass(frozen=True)
class SshdServer:
    host: str
    port: int
    user: str
    user_key: Path
    host_public_key: str
    root: Path
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )


def start_sshd(base: Path) -> SshdServer:
    # sshd refuses to start without its privilege-separation folder (made by the package's
    # service unit, which does not run in a container).
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o700)
    host_key, user_key = base / "host_key", base / "user_key"
    _keygen(host_key)
    _keygen(user_key)
    authorized = base / "authorized_keys"
    authorized.write_text(user_key.with_suffix(".pub").read_text())
    authorized.chmod(0o600)
    port = _free_port()
    config = base / "sshd_config"
    config.write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"Port {port}",
                f"HostKey {host_key}",
                f"PidFile {base / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("sshd did not start listening within 10 s")
    host_public = host_key.with_suffix(".pub").read_text().split()
    root = base / "remote"
    root.mkdir()
    return SshdServer(
        "127.0.0.1", port, getpass.getuser(), user_key, " ".join(host_public[:2]), root, process
    )


def stop_sshd(server: SshdServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
