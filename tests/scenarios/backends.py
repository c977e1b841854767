"""The implementations of a port (money in, the claim lifecycle) a scenario runs on: the
in-memory fake (no database), SQLite and PostgreSQL (skipped without
``PTRCM_TEST_POSTGRES_URL``).

Each yields a unit-of-work factory, which is all the services take. Seeding and reading
back go through the unit of work too, under the same names on every backend
(``visits.upsert``, ``claims.add_batch``, ``claims.add_claims``, ``ledger.entries``...).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.money_in_uow import money_in_unit_of_work
from ptrcm.store.repository import Store
from tests.fakes.lifecycle import ClaimsDatabase
from tests.fakes.money_in import Clock, MoneyInDatabase
from tests.integration.conftest import fresh_database
from tests.integration.posting.builders import NOW

BACKENDS = ["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

Factory = Callable[[], Any]  # a unit of work: the port, plus seeding and reads


@contextmanager
def money_in(kind: str, tmp_path: os.PathLike[str]) -> Iterator[Factory]:
    """A factory of money-in units of work for one organization on a fresh backend."""
    if kind == "fake":
        yield MoneyInDatabase(actor="test", clock=lambda: NOW).unit_of_work
        return
    with fresh_database(kind, tmp_path) as url:
        store = Store.open(url)
        try:
            org = store.ensure_organization("clinic")
            yield lambda: money_in_unit_of_work(store, org, "test", lambda: NOW)
        finally:
            store.close()


@contextmanager
def claims_lifecycle(kind: str, tmp_path: os.PathLike[str], clock: Clock) -> Iterator[Factory]:
    """A factory of claims units of work (the lifecycle's port; the money-in one with it)
    for one organization on a fresh backend, whose time is ``clock``."""
    if kind == "fake":
        yield ClaimsDatabase(actor="test", clock=clock).unit_of_work
        return
    with fresh_database(kind, tmp_path) as url:
        store = Store.open(url)
        try:
            org = store.ensure_organization("clinic")
            yield lambda: claims_unit_of_work(store, org, "test", clock)
        finally:
            store.close()
