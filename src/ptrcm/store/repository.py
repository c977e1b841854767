"""The store's entry points: ``Store`` (one database) and ``UnitOfWork`` (one transaction
for one organization and one actor), and the base of every org-scoped repository.

Tenant scoping is structural: a repository is built for one ``org_id``; every query it
runs goes through ``scoped`` (which adds ``WHERE org_id = ...``) and every row it writes
goes through ``new_row`` (which sets ``org_id``). Composite foreign keys through
``org_id`` make the database refuse cross-tenant references as well, and on PostgreSQL
every transaction of a unit of work is set to its organization, which row-level security
holds it to (``ptrcm.store.tenancy``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import Connection, RootTransaction

from ptrcm.errors import InvariantError
from ptrcm.store import db
from ptrcm.store.alerts_repo import AlertRepository
from ptrcm.store.audit import AuditLog
from ptrcm.store.chart_audit_repo import ChartAuditRepository
from ptrcm.store.claim_facts import refresh_claim_facts
from ptrcm.store.clearinghouse_repo import ClearinghouseRepository
from ptrcm.store.control_numbers import ControlNumbers
from ptrcm.store.data_version import bump_data_version
from ptrcm.store.front_desk_repo import FrontDeskRepository
from ptrcm.store.inquiries_repo import InquiryRepository
from ptrcm.store.ledger import Ledger
from ptrcm.store.master import AppointmentRepository, MasterDataRepository
from ptrcm.store.patient_records import PatientRecords
from ptrcm.store.quarantine import Quarantine
from ptrcm.store.records_requests_repo import RecordsRequestRepository
from ptrcm.store.scoped import Clock, touched_claims
from ptrcm.store.statements_repo import StatementRepository
from ptrcm.store.tables import organizations
from ptrcm.store.tenancy import connect
from ptrcm.store.types import utc_now
from ptrcm.store.visits import VisitRepository

__all__ = ["Store", "UnitOfWork"]


class UnitOfWork:
    """One transaction for one organization. Leaving without ``commit`` rolls back.

    The read model is kept here, not by the services: every repository write that changes
    a claim's facts notes the claim (``OrgScoped.touch_claims``), and ``commit`` rewrites
    those claims' ``claim_facts`` rows in the same transaction just before committing, so
    the facts are never stale and never ahead of what was committed. A bulk load (the
    demo) may pass ``deferred``: ``commit`` then only adds the claims to it, and the caller
    refreshes them all at once later (``Tenants.facts_deferred``). ``commit`` also bumps
    the organization's data version (``ptrcm.store.data_version``), which tells every
    process's read cache that what it holds for the organization is out of date.
    """

    def __init__(self, engine: Engine, org_id: int, actor: str, clock: Clock = utc_now,
                 *, deferred: set[int] | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.org_id = org_id
        self.actor = actor
        self.clock = clock
        self.deferred = deferred  # see ``ptrcm.store.tenants.Tenants.facts_deferred``
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None

    def __enter__(self) -> Self:
        conn = connect(self.engine, self.org_id)
        self._conn, self._tx = conn, conn.begin()
        touched_claims(conn).clear()
        args = (conn, self.org_id, self.actor, self.clock)
        self.audit = AuditLog(*args)
        self.visits = VisitRepository(*args, audit=self.audit)
        self.master = MasterDataRepository(*args)
        self.appointments = AppointmentRepository(*args)
        self.quarantine = Quarantine(*args)
        self.ledger = Ledger(*args)
        self.control_numbers = ControlNumbers(*args)
        self.statements = StatementRepository(*args)
        self.front_desk = FrontDeskRepository(*args)
        self.patient_records = PatientRecords(*args, audit=self.audit)
        self.chart_audits = ChartAuditRepository(*args, audit=self.audit)
        self.records_requests = RecordsRequestRepository(*args, audit=self.audit)
        self.alerts = AlertRepository(*args, audit=self.audit)
        self.inquiries = InquiryRepository(*args, audit=self.audit)
        self.clearinghouse = ClearinghouseRepository(*args, audit=self.audit)
        return self

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise InvariantError("unit of work used outside its `with` block")
        return self._conn

    def refresh_read_model(self) -> None:
        """Rewrite the facts of the claims written so far in this transaction (``commit``
        does it first; calling it earlier only moves the work)."""
        touched = touched_claims(self.connection)
        if touched and self.deferred is not None:
            self.deferred.update(touched)  # refreshed once, when the deferral ends
            touched.clear()
        elif touched:
            refresh_claim_facts(self.connection, self.org_id, touched)
            touched.clear()

    def commit(self) -> None:
        if self._tx is None:
            raise InvariantError("unit of work used outside its `with` block")
        self.refresh_read_model()
        bump_data_version(self.connection, self.org_id)  # readers' caches see this write
        self._tx.commit()
        self._tx = self.connection.begin()

    def rollback(self) -> None:
        if self._conn is not None:
            touched_claims(self._conn).clear()
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        if self._conn is not None:
            self._conn.close()
        self._conn = self._tx = None


class Store:
    """One database: its engine, its migrations, its organizations and units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect to ``url``; bring the schema up to date unless ``migrate`` is false."""
        store = cls(db.create_engine_for(url))
        if migrate:
            db.ensure_current(store.engine)
        return store

    def close(self) -> None:
        self.engine.dispose()

    def connect(self, org_id: int) -> Connection:
        """A connection whose transactions belong to organization ``org_id`` (reads outside
        a unit of work, such as the dashboard's)."""
        return connect(self.engine, org_id)

    def organization_id(self, slug: str) -> int | None:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(organizations.c.id).where(organizations.c.slug == slug)
            ).scalar_one_or_none()
        return None if found is None else int(found)

    def organization_slug(self, org_id: int) -> str | None:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(organizations.c.slug).where(organizations.c.id == org_id)
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def create_organization(self, slug: str, name: str | None = None, **fields: Any) -> int:
        """A new organization (tenant); ``IntegrityError`` if the slug is taken."""
        row = {"slug": slug, "name": name or slug, "created_at": utc_now(), **fields}
        with self.engine.begin() as conn:
            new_id = conn.execute(insert(organizations).returning(organizations.c.id), row)
            return int(new_id.scalar_one())

    def ensure_organization(self, slug: str, name: str | None = None) -> int:
        found = self.organization_id(slug)
        return found if found is not None else self.create_organization(slug, name)

    def unit_of_work(self, org_id: int, actor: str, clock: Clock = utc_now) -> UnitOfWork:
        return UnitOfWork(self.engine, org_id, actor, clock)
