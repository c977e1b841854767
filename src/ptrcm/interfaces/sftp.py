"""The paramiko adapter of the clearinghouse file-drop port (services/clearinghouse/ports.py).

Host keys are pinned: the connector's configured ``known_host_key`` ("ssh-ed25519 AAAA...")
must match what the server presents, or the connection is refused.
"""

from __future__ import annotations

import base64
import io
import posixpath
import socket
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

import paramiko

from ptrcm.services.clearinghouse.ports import RemoteFile, TransportDown, TransportRefused


@dataclass(frozen=True, slots=True)
class SftpEndpoint:
    name: str
    host: str
    port: int
    user: str
    key_file: Path
    known_host_key: str
    timeout_seconds: float = 15.0


def _pinned_key(endpoint: SftpEndpoint) -> paramiko.PKey:
    try:
        kind, blob = endpoint.known_host_key.split()[:2]
        return paramiko.PKey.from_type_string(kind, base64.b64decode(blob))
    except (ValueError, paramiko.SSHException) as exc:
        raise TransportRefused(
            f"clearinghouse {endpoint.name}: known_host_key is not an OpenSSH public key"
        ) from exc


def _user_key(endpoint: SftpEndpoint) -> paramiko.PKey:
    try:
        return paramiko.PKey.from_path(endpoint.key_file)
    except (OSError, paramiko.SSHException) as exc:
        raise TransportRefused(
            f"clearinghouse {endpoint.name}: cannot read key file {endpoint.key_file}"
        ) from exc


class SftpDrop:
    def __init__(self, endpoint: SftpEndpoint) -> None:
        self._endpoint = endpoint
        host_key, user_key = _pinned_key(endpoint), _user_key(endpoint)
        where = f"clearinghouse {endpoint.name} ({endpoint.host}:{endpoint.port})"
        try:
            sock = socket.create_connection(
                (endpoint.host, endpoint.port), timeout=endpoint.timeout_seconds
            )
        except OSError as exc:
            raise TransportDown(f"{where}: cannot connect: {exc.strerror or exc}") from exc
        self._transport = paramiko.Transport(sock)
        try:
            self._transport.connect(hostkey=host_key, username=endpoint.user, pkey=user_key)
            sftp = paramiko.SFTPClient.from_transport(self._transport)
        except paramiko.AuthenticationException as exc:
            self._transport.close()
            raise TransportRefused(
                f"{where}: the server refused key {endpoint.key_file.name} for user {endpoint.user}"
            ) from exc
        except paramiko.SSHException as exc:
            self._transport.close()
            if "host key" in str(exc).lower():
                raise TransportRefused(f"{where}: host key does not match known_host_key") from exc
            raise TransportDown(f"{where}: {exc}") from exc
        except (OSError, EOFError) as exc:
            self._transport.close()
            raise TransportDown(f"{where}: connection dropped") from exc
        if sftp is None:
            self._transport.close()
            raise TransportDown(f"{where}: the server offers no SFTP subsystem")
        self._sftp: paramiko.SFTPClient = sftp

    def _guard(self, what: str, exc: BaseException) -> TransportDown:
        return TransportDown(f"clearinghouse {self._endpoint.name}: {what}: connection dropped")

    def list_files(self, folder: str) -> list[RemoteFile]:
        try:
            entries = self._sftp.listdir_attr(folder)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise self._guard(f"listing {folder}", exc) from exc
        return sorted(
            (
                RemoteFile(e.filename, int(e.st_size or 0))
                for e in entries
                if e.st_mode is not None
                and stat.S_ISREG(e.st_mode)
                and not e.filename.startswith(".")
            ),
            key=lambda f: f.name,
        )

    def read(self, folder: str, name: str) -> bytes:
        buffer = io.BytesIO()
        try:
            self._sftp.getfo(posixpath.join(folder, name), buffer)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise self._guard(f"reading {name}", exc) from exc
        return buffer.getvalue()

    def write(self, folder: str, name: str, data: bytes) -> None:
        partial = posixpath.join(folder, f".{name}.{uuid.uuid4().hex}.part")
        try:
            self._sftp.putfo(io.BytesIO(data), partial, file_size=len(data), confirm=True)
            self._sftp.posix_rename(partial, posixpath.join(folder, name))
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise self._guard(f"writing {name}", exc) from exc

    def move(self, folder: str, name: str, to_folder: str) -> None:
        try:
            self._sftp.posix_rename(posixpath.join(folder, name), posixpath.join(to_folder, name))
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise self._guard(f"moving {name}", exc) from exc

    def close(self) -> None:
        self._sftp.close()
        self._transport.close()
