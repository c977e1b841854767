"""The unit of work of the money-in services (posting, acknowledgments, underpayments,
appeals): the base unit of work plus the claim, remittance, work-queue and follow-up
repositories, all on the same connection and transaction. It is the SQL implementation of
the services' ``ptrcm.services.money_in_ports.MoneyInUnitOfWork`` port, structurally (store
never imports services; mypy checks the fit where the commands hand it to a service).

``serialize_posting`` makes postings of one organization run one after the other: the
second waits for the first to commit and then sees what it posted, so a payment sent
twice at once is still posted once (the loser finds it "already posted").
"""

from __future__ import annotations

from typing import Self

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ptrcm.errors import BusyError, InvariantError
from ptrcm.store.claim_store import ClaimRepository
from ptrcm.store.coverage_reader import CoverageReader
from ptrcm.store.followup_repo import (
    AckRepository,
    AppealRepository,
    ContractRepository,
    UnderpaymentRepository,
)
from ptrcm.store.posting_repo import RemittanceRepository, WorkQueue
from ptrcm.store.repository import Store, UnitOfWork
from ptrcm.store.scoped import Clock
from ptrcm.store.types import utc_now
from ptrcm.store.work_repo import WorkLog, WriteOffs

POSTING_LOCK = 835  # PostgreSQL advisory lock class: (835, org id) = that org's posting
SQLITE_WAIT_MS = 300_000  # how long a posting waits for another one on SQLite
SQLITE_DEFAULT_WAIT_MS = 10_000  # as set at connect (ptrcm.store.db)


class MoneyInUnitOfWork(UnitOfWork):
    """One transaction for one organization, with the money-in repositories."""

    def __enter__(self) -> Self:
        super().__enter__()
        args = (self.connection, self.org_id, self.actor, self.clock)
        self.claims = ClaimRepository(*args)
        self.coverage = CoverageReader(*args)
        self.remits = RemittanceRepository(*args)
        self.work = WorkQueue(*args)
        self.acks = AckRepository(*args)
        self.contracts = ContractRepository(*args)
        self.underpayments = UnderpaymentRepository(*args)
        self.appeals = AppealRepository(*args)
        self.worklog = WorkLog(*args, audit=self.audit)
        self.write_offs = WriteOffs(*args, audit=self.audit)
        return self

    def serialize_posting(self) -> None:
        """Wait for any other posting of this organization, then hold the posting lock
        until this transaction ends. Call first, before reading what posting decides on.

        PostgreSQL: ``pg_advisory_xact_lock(835, org)``, released at commit or rollback.
        SQLite: the (still empty) transaction restarts as ``BEGIN IMMEDIATE``, which takes
        the database's write lock or waits for it. ``BusyError`` when the wait times out.
        """
        conn = self.connection
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:lock, :org)"),
                {"lock": POSTING_LOCK, "org": self.org_id},
            )
            return
        if self._tx is None:
            raise InvariantError("unit of work used outside its `with` block")
        self._tx.rollback()
        conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        raw = conn.connection.driver_connection  # pragmas outside any transaction
        if raw is None:
            raise InvariantError("unit of work has no open database connection")
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
        try:
            self._tx = conn.begin()
        except OperationalError:
            raise BusyError(
                "another posting kept the database locked too long; nothing was posted,"
                " run the command again"
            ) from None
        finally:
            # Only this transaction takes the lock first: the one ``commit`` opens next is
            # deferred again, so it never waits on a posting that started after ours.
            conn.execution_options(sqlite_begin="BEGIN")
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_DEFAULT_WAIT_MS}")


def money_in_unit_of_work(
    store: Store, org_id: int, actor: str, clock: Clock = utc_now
) -> MoneyInUnitOfWork:
    return MoneyInUnitOfWork(store.engine, org_id, actor, clock)
