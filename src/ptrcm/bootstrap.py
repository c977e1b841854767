"""The composition root: settings, clinic clock, reference data, rule packs, scrubber, store
and units of work, wired in one place for the command line and the web app.

``Root`` builds each piece once, on first use, so a command pays only for what it needs
and nothing heavy happens at import time. It is a context manager: the store it opened is
closed when the ``with`` block ends, whatever happens inside it.

Where things come from:

- configuration: ``--config FILE``, else ``ptrcm.toml`` in the working directory when there
  is one, else the built-in default (``ptrcm.config``);
- database: ``--db URL``, else ``PTRCM_DATABASE_URL``, else ``sqlite:///ptrcm.db``. A command
  that reads a database refuses a SQLite file that does not exist (a mistyped path must not
  become a new empty database); commands that load data (``Root(create_db=True)``) create it;
- "today": the clinic's date in ``[clinic] timezone`` (``Clock``), never the server's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self
from zoneinfo import ZoneInfo

from ptrcm.config import Config, load_config
from ptrcm.domain.codes import Catalog, load_catalog
from ptrcm.errors import InvariantError, PtrcmError

if TYPE_CHECKING:
    from ptrcm.rules.packs import PackBook
    from ptrcm.services.claims.scrubbing import Scrubber
    from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork
    from ptrcm.store.repository import Store
    from ptrcm.store.tenants import Tenants

DEFAULT_DB_URL = "sqlite:///ptrcm.db"
DB_ENV = "PTRCM_DATABASE_URL"
CONFIG_FILE = "ptrcm.toml"
DEFAULT_ORG = "default"


class DatabaseError(PtrcmError):
    """The database named by ``--db`` cannot be used (missing file, unreachable server)."""


class UnknownOrganization(PtrcmError):
    """``--org`` names no organization in the database."""


def database_url(explicit: str | None = None) -> str:
    """``--db`` first, then ``PTRCM_DATABASE_URL``, then the SQLite file in the cwd."""
    return explicit or os.environ.get(DB_ENV) or DEFAULT_DB_URL


def config_path(explicit: str | None = None) -> str | None:
    """``--config`` first, then ``ptrcm.toml`` in the working directory, else None (the
    built-in default)."""
    if explicit:
        return explicit
    return CONFIG_FILE if Path(CONFIG_FILE).is_file() else None


def missing_sqlite_file(url: str) -> Path | None:
    """The file a ``sqlite:///PATH`` URL names when it does not exist (else None)."""
    from ptrcm.store.db import parse_url

    parsed = parse_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    path = Path(database)
    return None if path.exists() else path


class Clock:
    """The clinic's clock: ``today()`` is the date on the clinic's wall, which is what aging,
    deadlines and "as of" defaults count from. ``now`` is injectable for tests."""

    __slots__ = ("_now", "zone")

    def __init__(self, timezone: str, now: Callable[[], datetime] | None = None) -> None:
        self.zone = ZoneInfo(timezone)
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """The current instant, in the clinic's time zone."""
        return self._now().astimezone(self.zone)

    def today(self) -> date:
        return self.now().date()


@dataclass(frozen=True, slots=True)
class Context:
    config: Config
    catalog: Catalog


def build_context(config_file: str | None = None) -> Context:
    """Configuration (the file given, else the built-in default) and the code catalog."""
    return Context(config=load_config(config_file), catalog=load_catalog())


class Root:
    """Everything one command (or one web app) needs, each piece built once on first use."""

    def __init__(
        self,
        *,
        config_file: str | None = None,
        db: str | None = None,
        org: str = DEFAULT_ORG,
        actor: str = "cli",
        create_db: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self._config_file = config_file
        self._db = db
        self.org = org
        self.actor = actor
        self._create_db = create_db
        self._clock = clock
        self._store: Store | None = None
        self._packs: PackBook | None = None

    # -- settings and reference data ------------------------------------------------------

    @cached_property
    def config(self) -> Config:
        """The configuration, every payer's pack and parameters checked (``ConfigError``
        naming the file and key otherwise)."""
        from ptrcm.rules.packs import PackBook

        config = load_config(config_path(self._config_file))
        self._packs = PackBook(config.payers, config.source)
        return config

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog()

    @cached_property
    def clock(self) -> Clock:
        return self._clock or Clock(self.config.clinic.timezone)

    @property
    def packs(self) -> PackBook:
        """The rule packs per payer and date of service, with the payers' overrides."""
        _ = self.config  # loading the configuration builds (and checks) the packs
        if self._packs is None:
            raise InvariantError("rule packs are built with the configuration")
        return self._packs

    def scrubber(
        self, as_of: date | None = None, *, select: Sequence[str] = (), ignore: Sequence[str] = ()
    ) -> Scrubber:
        """The scrubber measuring deadlines to ``as_of`` (default: the clinic's today)."""
        from ptrcm.rules.icd10 import Icd10Codes
        from ptrcm.services.claims.scrubbing import Scrubber

        day = self.clock.today() if as_of is None else as_of
        return Scrubber(self.config, self.catalog, Icd10Codes(), day, select=select, ignore=ignore)

    # -- the database -----------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return database_url(self._db)

    @property
    def store(self) -> Store:
        """The store, opened (and migrated to head) on first use."""
        if self._store is None:
            self._store = self._open_store(migrate=True)
        return self._store

    def open_store(self, *, migrate: bool) -> Store:
        """The store without migrating it (``ptrcm db``'s own commands)."""
        if self._store is None:
            self._store = self._open_store(migrate=migrate)
        return self._store

    def _open_store(self, *, migrate: bool) -> Store:
        from sqlalchemy.exc import OperationalError

        from ptrcm.store.db import parse_url
        from ptrcm.store.repository import Store

        url = self.database_url
        where = parse_url(url).render_as_string(hide_password=True)
        missing = None if self._create_db else missing_sqlite_file(url)
        if missing is not None:
            raise DatabaseError(
                f"database {where}: no such file {str(missing)!r} (check --db; `ptrcm import`,"
                " `ptrcm db upgrade` and `ptrcm demo` create a database)"
            )
        try:
            store = Store.open(url, migrate=migrate)
        except OperationalError as exc:
            raise DatabaseError(f"database {where}: {_reason(exc)}") from None
        try:
            with store.engine.connect():  # fail here, with one line, if it cannot be reached
                return store
        except OperationalError as exc:
            store.close()
            raise DatabaseError(f"database {where}: {_reason(exc)}") from None

    @cached_property
    def org_id(self) -> int:
        """The organization's id; the default organization is created on first use."""
        found = self.store.organization_id(self.org)
        if found is not None:
            return found
        if self.org == DEFAULT_ORG:
            return self.store.create_organization(self.org)
        raise UnknownOrganization(
            f"--org {self.org}: no such organization (create it with `ptrcm db add-org {self.org}`)"
        )

    def unit_of_work(self) -> ClaimsUnitOfWork:
        """A new unit of work (one transaction) for the organization and actor; it carries
        every repository the use cases need."""
        from ptrcm.store.claims_lifecycle import claims_unit_of_work

        return claims_unit_of_work(self.store, self.org_id, self.actor)

    @property
    def tenants(self) -> Tenants:
        """The store's organizations and their units of work (the demo makes its own
        organizations)."""
        from ptrcm.store.tenants import Tenants

        return Tenants(self.store)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig).strip().splitlines()[0] if orig else "cannot connect"
