"""A store's organizations (tenants) and, for one of them, the unit of work that carries
every repository: the SQL implementation of ``ptrcm.services.demo.ports.DemoStore``
(structurally; store never imports services)."""

from __future__ import annotations

from typing import Any

from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork, claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.scoped import Clock


class Tenants:
    """The organizations of one open ``Store`` (which its opener closes)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def organization_id(self, slug: str) -> int | None:
        return self.store.organization_id(slug)

    def create_organization(self, slug: str, name: str | None = None, **fields: Any) -> int:
        return self.store.create_organization(slug, name, **fields)

    def unit_of_work(self, org_id: int, actor: str, clock: Clock) -> ClaimsUnitOfWork:
        return claims_unit_of_work(self.store, org_id, actor, clock)
