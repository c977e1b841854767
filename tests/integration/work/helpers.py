"""A denied claim in a store, and members to assign work to (for the work tests)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from ptrcm.store.money_in_uow import MoneyInUnitOfWork, money_in_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import audit_log, memberships, users
from tests.integration.posting.builders import (
    NOW,
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    visit,
    write,
)

DENIED = clp(
    "V-1",
    "4",
    "110.00",
    "0.00",
    svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1, remarks=("N115",)),
    payer_claim="PAYER-CCN-1",
)
PAID_AFTER_APPEAL = clp(
    "V-1",
    "1",
    "110.00",
    "47.20",
    svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    payer_claim="PAYER-CCN-2",
)


def as_actor(store: Store, org: int, actor: str, at: datetime = NOW) -> MoneyInUnitOfWork:
    return money_in_unit_of_work(store, org, actor, lambda: at)


def denied_claim(store: Store, tmp_path: Path) -> int:
    """An organization whose claim V-1 (97110, 110.00) was denied CO-50."""
    org = seed(store, [visit("V-1", [("97110", 30)])])
    post(store, org, write(tmp_path, "denied.835", remittance([DENIED], "0.00")))
    return org


def add_member(store: Store, org: int, username: str, role: str = "biller") -> int:
    with store.engine.begin() as conn:
        user = conn.execute(
            insert(users).returning(users.c.id),
            {"username": username, "display_name": username.title(), "created_at": NOW},
        ).scalar_one()
        return int(
            conn.execute(
                insert(memberships).returning(memberships.c.id),
                {"org_id": org, "user_id": user, "role": role, "created_at": NOW},
            ).scalar_one()
        )


def audit_rows(store: Store, org: int, table: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        query = (
            select(audit_log)
            .where(audit_log.c.org_id == org, audit_log.c.table_name == table)
            .order_by(audit_log.c.id)
        )
        return [dict(r._mapping) for r in conn.execute(query)]
