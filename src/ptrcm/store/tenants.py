"""A store's organizations (tenants) and, for one of them, the unit of work that carries
every repository: the SQL implementation of ``ptrcm.services.demo.ports.DemoStore``
(structurally; store never imports services).

``facts_deferred`` is for a bulk load such as the demo: inside it, the units of work this
object makes do not rewrite claim facts at each commit (hundreds of small refreshes of the
same claims) but note the claims, and leaving it refreshes every noted claim of each
organization in one transaction. Nothing may read ``claim_facts`` of those organizations
meanwhile (the demo reads none; the web app is started after it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ptrcm.store.claim_facts import refresh_claim_facts
from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork
from ptrcm.store.data_version import bump_data_version
from ptrcm.store.repository import Store
from ptrcm.store.scoped import Clock
from ptrcm.store.tenancy import connect


class Tenants:
    """The organizations of one open ``Store`` (which its opener closes)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._deferred: dict[int, set[int]] | None = None

    def organization_id(self, slug: str) -> int | None:
        return self.store.organization_id(slug)

    def create_organization(self, slug: str, name: str | None = None, **fields: Any) -> int:
        return self.store.create_organization(slug, name, **fields)

    def unit_of_work(self, org_id: int, actor: str, clock: Clock) -> ClaimsUnitOfWork:
        deferred = None if self._deferred is None else self._deferred.setdefault(org_id, set())
        return ClaimsUnitOfWork(self.store.engine, org_id, actor, clock, deferred=deferred)

    @contextmanager
    def facts_deferred(self) -> Iterator[None]:
        """Claim facts written inside are refreshed once, on the way out (also when the
        block fails: what was committed gets its facts)."""
        if self._deferred is not None:  # already deferring: the outer block refreshes
            yield
            return
        self._deferred = {}
        try:
            yield
        finally:
            pending, self._deferred = self._deferred, None
            for org_id, claim_ids in sorted(pending.items()):
                if claim_ids:
                    self._refresh(org_id, claim_ids)

    def _refresh(self, org_id: int, claim_ids: set[int]) -> None:
        with connect(self.store.engine, org_id) as conn, conn.begin():
            refresh_claim_facts(conn, org_id, claim_ids)
            bump_data_version(conn, org_id)  # the facts changed: caches read them again
