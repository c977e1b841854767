"""The money-in unit of work in memory: ``ptrcm.services.money_in_ports.MoneyInUnitOfWork``
without a database, so posting, acknowledgments, appeals and underpayments run unchanged
in unit tests.

``MoneyInDatabase`` holds the committed tables; ``unit_of_work`` opens a
``FakeMoneyInUnitOfWork`` on a copy of them, which ``commit`` hands back (leaving without
committing drops it, as a rollback does). Beside the port, the repositories offer the
seeding and the reads tests need under the SQL repositories' names and row keys
(``claims.add_claims``, ``claims.add_batch``, ``claims.state_of``, ``claims.transitions``,
``visits.upsert``, ``ledger.entries``, ``appeals.all``...), so one test body runs on the
fake, SQLite and PostgreSQL alike. The repositories: ``tests.fakes.claims`` (claims,
visits, coverages, control numbers), ``tests.fakes.remittances`` (835 rows, ledger, work
queues), ``tests.fakes.followup`` (acknowledgments, contracts, underpayments, appeals).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ptrcm.errors import InvariantError
from tests.fakes.claims import FakeClaims, FakeControlNumbers, FakeCoverage, FakeVisits
from tests.fakes.followup import FakeAcknowledgments, FakeAppeals, FakeContracts, FakeUnderpayments
from tests.fakes.remittances import FakeLedger, FakeRemittances, FakeWorkItems
from tests.fakes.tables import Session, Tables

if TYPE_CHECKING:
    from ptrcm.services.money_in_ports import MoneyInWork

Clock = Callable[[], datetime]
NOW = datetime(2026, 3, 21, 15, 0, tzinfo=UTC)


class FakeMoneyInUnitOfWork:
    """One transaction on a copy of the committed tables (module docstring)."""

    def __init__(self, database: MoneyInDatabase, actor: str, clock: Clock) -> None:
        self.database, self.actor, self.clock = database, actor, clock
        self.session = Session(clock)
        self.claims = FakeClaims(self.session)
        self.remits = FakeRemittances(self.session)
        self.ledger = FakeLedger(self.session)
        self.work = FakeWorkItems(self.session)
        self.acks = FakeAcknowledgments(self.session)
        self.contracts = FakeContracts(self.session)
        self.underpayments = FakeUnderpayments(self.session)
        self.appeals = FakeAppeals(self.session)
        self.coverage = FakeCoverage(self.session)
        self.visits = FakeVisits(self.session)
        self.control_numbers = FakeControlNumbers(self.session)
        self.serialized = False

    def __enter__(self) -> Self:
        self.session.open(self.database.committed.copy())
        return self

    def serialize_posting(self) -> None:
        """One thread, nothing to wait for; but like the SQL one (whose SQLite transaction
        restarts here) it must come before anything is written."""
        if self.session.tables.writes:
            raise InvariantError("serialize_posting called after this transaction wrote")
        self.serialized = True

    def refresh_read_model(self) -> None:
        """The fake keeps no read model."""

    def commit(self) -> None:
        self.database.committed = self.session.tables.copy()
        self.database.commits += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.close()


class MoneyInDatabase:
    """The committed state; ``unit_of_work`` is the factory the services take."""

    def __init__(self, actor: str = "test", clock: Clock = lambda: NOW) -> None:
        self.committed = Tables()
        self.commits = 0
        self.actor, self.clock = actor, clock

    def unit_of_work(self) -> FakeMoneyInUnitOfWork:
        return FakeMoneyInUnitOfWork(self, self.actor, self.clock)


if TYPE_CHECKING:

    def _fits_the_port(database: MoneyInDatabase) -> MoneyInWork:
        return database.unit_of_work  # mypy: the fake is a MoneyInUnitOfWork
