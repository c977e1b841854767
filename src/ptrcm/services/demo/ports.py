"""The demo's port: a database's organizations (tenants) and, for one of them, a unit of
work that carries everything the flow's services use.

The demo runs the real services one after the other on the same organization: the visit,
master-data and appointment imports, the claim lifecycle, acknowledgments, posting and
appeals. So its unit of work is all their ports at once (``DemoUnitOfWork``), and a
``DemoStore`` makes one for an organization it looks up or creates.
``ptrcm.store.tenants.Tenants`` implements it on SQL without importing this module; the
composition root (``ptrcm.bootstrap.Root.tenants``) hands it to ``ptrcm demo``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from ptrcm.services.claims.ports import ClaimsUnitOfWork
from ptrcm.services.money_in_ports import MoneyInUnitOfWork
from ptrcm.services.ports import ImportUnitOfWork, MasterDataUnitOfWork, VisitStore


class DemoUnitOfWork(
    ClaimsUnitOfWork, MoneyInUnitOfWork, MasterDataUnitOfWork, ImportUnitOfWork, Protocol
):
    """The claims, money-in, master-data and import units of work in one transaction."""

    @property
    def visits(self) -> VisitStore: ...


class DemoStore(Protocol):
    """A database's organizations, and units of work of one of them."""

    def organization_id(self, slug: str) -> int | None: ...

    def create_organization(self, slug: str, name: str | None = None, **fields: Any) -> int:
        """A new organization (``fields``: e.g. ``created_at``); its row id."""
        ...

    def unit_of_work(
        self, org_id: int, actor: str, clock: Callable[[], datetime]
    ) -> DemoUnitOfWork: ...

    def facts_deferred(self) -> AbstractContextManager[None]:
        """Inside: commits of these units of work leave the claims' read model (facts) to
        be refreshed once, on the way out, instead of at every commit."""
        ...
