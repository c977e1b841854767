"""The SFTP transport port: what the clearinghouse services need of a remote file drop.

The paramiko adapter (``ptrcm.interfaces.sftp``) implements it; tests may use an
in-memory fake. Errors cross the port as two kinds only: ``TransportDown`` (connection
trouble worth retrying with backoff) and ``TransportRefused`` (authentication or host-key
failure: retrying cannot help, the message is one line for the operator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ptrcm.errors import PtrcmError


class TransportDown(PtrcmError):
    """The connection failed or dropped; the operation may be retried."""


class TransportRefused(PtrcmError):
    """The server refused us (key, user or host key); retrying will not help."""


@dataclass(frozen=True, slots=True)
class RemoteFile:
    name: str
    size: int


class FileDrop(Protocol):
    """One open session on a clearinghouse's remote folders."""

    def list_files(self, folder: str) -> list[RemoteFile]: ...

    def read(self, folder: str, name: str) -> bytes: ...

    def write(self, folder: str, name: str, data: bytes) -> None:
        """Write atomically: a temporary name, then a rename, so the far side never
        picks up half a file."""
        ...

    def move(self, folder: str, name: str, to_folder: str) -> None: ...

    def close(self) -> None: ...


class FileDropOpener(Protocol):
    def __call__(self) -> FileDrop:
        """Connect and authenticate; raises TransportDown or TransportRefused."""
        ...
