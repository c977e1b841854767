"""The composition root: settings, clinic clock, reference data, rule packs, scrubber, store
and units of work, wired in one place for the command line and the web app.

``Root`` builds each piece once, on first use, so a command pays only for what it needs
and nothing heavy happens at import time. It is a context manager: the store it opened is
closed when the ``with`` block ends, whatever happens inside it.

Where things come from:

- configuration: ``--config FILE``, else ``ptrcm.toml`` in the working directory when there
  is one, else the built-in default (``ptrcm.config``);
- database: ``--db URL``, else ``PTRCM_DATABASE_URL``, else ``[database] url``, else
  ``sqlite:///ptrcm.db``. A command that reads a database refuses a SQLite file that does not
  exist (a mistyped path must not become a new empty database); commands that load data
  (``Root(create_db=True)``) create it;
- migrations: the owner's URL, ``PTRCM_MIGRATE_URL`` or ``[database] migrate_url``
  (``Root(as_owner=True)``: ``ptrcm db upgrade|downgrade|roles``). When one is configured
  and differs from the app's, ordinary commands never migrate: a schema behind the code is
  a one-line error saying to run ``ptrcm db upgrade`` (docs/database.md);
- who acts: ``command_actor`` (``ptrcm --as USER``, ``PTRCM_OPERATOR``, ``[operator] user``),
  checked against the user accounts when there are any (docs/security.md);
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
    from ptrcm.domain.access import Role
    from ptrcm.rules.packs import PackBook
    from ptrcm.services.claims.scrubbing import Scrubber
    from ptrcm.store.access_repo import AccessUnitOfWork
    from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork
    from ptrcm.store.repository import Store
    from ptrcm.store.tenants import Tenants

DEFAULT_DB_URL = "sqlite:///ptrcm.db"
DB_ENV = "PTRCM_DATABASE_URL"
MIGRATE_ENV = "PTRCM_MIGRATE_URL"
UNATTRIBUTED = "cli:unattributed"
OPERATOR_NAME_MAX = 64
CONFIG_FILE = "ptrcm.toml"
DEFAULT_ORG = "default"


class DatabaseError(PtrcmError):
    """The database named by ``--db`` cannot be used (missing file, unreachable server)."""


class UnknownOrganization(PtrcmError):
    """``--org`` names no organization in the database."""


class AttributionError(PtrcmError):
    """The command line cannot say which user is acting (``ptrcm --as``)."""


def database_url(explicit: str | None = None, configured: str | None = None) -> str:
    """``--db`` first, then ``PTRCM_DATABASE_URL``, then ``[database] url``, then the
    SQLite file in the cwd."""
    return explicit or os.environ.get(DB_ENV) or configured or DEFAULT_DB_URL


def migrate_url(configured: str | None = None) -> str | None:
    """The owner's URL for migrations: ``PTRCM_MIGRATE_URL``, then ``[database]
    migrate_url``; None when neither is set (the app's URL migrates too)."""
    return os.environ.get(MIGRATE_ENV) or configured or None


def command_actor(store: Store, org_id: int, name: str | None) -> str:
    """What the audit trail names for a command run as ``name`` (``--as``).

    A database with user accounts is a multi-user installation: a command must name who
    acts, and the name must be an active user of the organization (``user:NAME``); a
    command that names no one is refused. A database without accounts (a single-user
    installation) has no one to check against: a given name is recorded as given
    (``operator:NAME``), no name as ``cli:unattributed``. The login name of the shell is
    never used: anyone can set it.
    """
    from ptrcm.store.operators import active_user_name, user_accounts_exist

    accounts = user_accounts_exist(store.engine)
    if name is None:
        if accounts:
            raise AttributionError(
                "this database has user accounts: name who acts with --as USER"
                " (or PTRCM_OPERATOR, or [operator] user in ptrcm.toml)"
            )
        return UNATTRIBUTED
    name = name.strip()
    if not name or len(name) > OPERATOR_NAME_MAX or not name.isprintable() or " " in name:
        raise AttributionError(
            f"--as: a user name is 1 to {OPERATOR_NAME_MAX} printable characters, no spaces"
        )
    if not accounts:
        return f"operator:{name}"
    found = active_user_name(store.engine, org_id, name)
    if found is None:
        raise AttributionError(f"--as {name}: no active user of that name in this organization")
    return f"user:{found}"


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
        actor: str | None = None,
        operator: str | None = None,
        create_db: bool = False,
        clock: Clock | None = None,
        as_owner: bool = False,
    ) -> None:
        self._config_file = config_file
        self._db = db
        self.org = org
        self._actor = actor
        self._operator = operator
        self._as_owner = as_owner
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
        """The URL this root's store opens: the app's, or the owner's (``as_owner``)."""
        configured = self.config.database
        if self._as_owner:
            owner = self._db or migrate_url(configured.get("migrate_url"))
            if owner:
                return owner
        return database_url(self._db, configured.get("url"))

    @property
    def separate_migrations(self) -> bool:
        """Whether migrations run with a URL of their own (the owner's), so the app's
        connections never migrate."""
        owner = migrate_url(self.config.database.get("migrate_url"))
        return not self._as_owner and owner is not None and owner != self.database_url

    @cached_property
    def actor_role(self) -> Role | None:
        """The role the command acts in: the ``--as`` user's role in the organization; on
        a database without user accounts the operator has the clinic in hand (manager);
        an unattributed command on a database with accounts has none."""
        from ptrcm.domain.access import Role
        from ptrcm.store.operators import role_of, user_accounts_exist

        actor = self.actor
        if actor.startswith("user:"):
            found = role_of(self.store.engine, self.org_id, actor.removeprefix("user:"))
            return None if found is None else Role(found)
        return None if user_accounts_exist(self.store.engine) else Role.manager

    @cached_property
    def actor(self) -> str:
        """Who the audit trail names for this command (``command_actor``), decided when a
        unit of work first needs it; an actor given to the constructor is used as is."""
        if self._actor is not None:
            return self._actor
        return command_actor(self.store, self.org_id, self._operator or self.config.operator)

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
        from sqlalchemy.exc import OperationalError, ProgrammingError

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
        separate = migrate and self.separate_migrations
        try:
            store = Store.open(url, migrate=migrate and not separate)
        except OperationalError as exc:
            raise DatabaseError(f"database {where}: {_reason(exc)}") from None
        except ProgrammingError as exc:  # e.g. the app's role may not migrate
            raise DatabaseError(
                f"database {where}: cannot migrate ({_reason(exc)}); run `ptrcm db upgrade`"
                " with the owner's URL (PTRCM_MIGRATE_URL)"
            ) from None
        try:
            if separate:
                _refuse_old_schema(store, where)
            with store.engine.connect():  # fail here, with one line, if it cannot be reached
                return store
        except OperationalError as exc:
            store.close()
            raise DatabaseError(f"database {where}: {_reason(exc)}") from None
        except DatabaseError:
            store.close()
            raise

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

    def access_unit_of_work(self) -> AccessUnitOfWork:
        """A new unit of work over users, memberships, sessions, tokens and the audit trail
        (``ptrcm.services.access``), for any organization."""
        from ptrcm.store.access_repo import AccessUnitOfWork

        return AccessUnitOfWork(self.store.engine)

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


def _refuse_old_schema(store: Store, where: str) -> None:
    from ptrcm.store.db import current_revision, head_revision

    current, head = current_revision(store.engine), head_revision()
    if current != head:
        raise DatabaseError(
            f"database {where}: schema at revision {current or 'base'}, this ptrcm needs"
            f" {head}: run `ptrcm db upgrade` (it connects with PTRCM_MIGRATE_URL)"
        )


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig).strip().splitlines()[0] if orig else "cannot connect"
