"""The SFTP transport port: what the clearinghouse services need of a remote file drop.

The paramiko adapter (``ptrcm.interfaces.sftp``) implements it; tests may use an
in-memory fake. Errors cross the port as two kinds only: ``TransportDown`` (connection
trouble worth retrying with backoff) and ``TransportRefused`` (authentication or host-key
failure: retrying cannot help, the message is one line for the operator).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ptrcm.domain.clearinghouse import ConnectorStatus, TrackedFile
from ptrcm.errors import PtrcmError
from ptrcm.services.ports import EligibilityUnitOfWork, Transaction


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


class ClearinghouseStore(Protocol):
    """The files sent and fetched per connector, and each connector's status (implemented
    by ``ptrcm.store.clearinghouse_repo``)."""

    def find(self, connector: str, direction: str, remote_name: str,
             sha256: str | None = None) -> TrackedFile | None: ...  # fmt: skip

    def add_file(self, connector: str, direction: str, remote_name: str, local_name: str,
                 sha256: str, kind: str, status: str) -> int: ...  # fmt: skip

    def set_status(self, file_id: int, status: str, result: Mapping[str, Any]) -> None: ...

    def files(self, connector: str | None = None, direction: str | None = None,
              status: str | None = None, limit: int = 100) -> list[TrackedFile]: ...  # fmt: skip

    def note(self, connector: str, action: str, error: str | None) -> None: ...

    def statuses(self) -> list[ConnectorStatus]: ...


class ClearinghouseUnitOfWork(Transaction, Protocol):
    @property
    def clearinghouse(self) -> ClearinghouseStore: ...


ClearinghouseWork = Callable[[], ClearinghouseUnitOfWork]


class EligibilityTransaction(EligibilityUnitOfWork, Transaction, Protocol):
    """What posting a fetched 271 uses: the eligibility port in its own transaction."""
