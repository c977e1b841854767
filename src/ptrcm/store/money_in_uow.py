"""The unit of work of the money-in services (posting, acknowledgments, underpayments,
appeals): the base unit of work plus the claim, remittance, work-queue and follow-up
repositories, all on the same connection and transaction."""

from __future__ import annotations

from typing import Self

from ptrcm.store.claim_store import ClaimRepository, CoverageReader
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
        return self


def money_in_unit_of_work(
    store: Store, org_id: int, actor: str, clock: Clock = utc_now
) -> MoneyInUnitOfWork:
    return MoneyInUnitOfWork(store.engine, org_id, actor, clock)
