"""Engines from a database URL, and running the migrations.

SQLite gets foreign keys on, WAL journaling, a busy timeout, and real transactions (the
driver's own implicit-transaction handling is switched off and ``BEGIN`` is sent
explicitly), so DDL in migrations and multi-statement imports are all or nothing there
too. A connection with the execution option ``sqlite_begin="BEGIN IMMEDIATE"`` takes the
write lock when its transaction begins (how concurrent postings wait for each other).
Recursive triggers are on, so the delete an ``INSERT OR REPLACE`` makes fires the
append-only tables' DELETE guard (SQLite fires no delete trigger for REPLACE otherwise).
``postgresql://`` URLs use psycopg 3; each PostgreSQL transaction begins by setting the
organization its connection names, for row-level security (``ptrcm.store.tenancy``).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ptrcm.errors import ConfigError
from ptrcm.store.tenancy import set_organization_at_begin

MIGRATIONS = "ptrcm.store:migrations"

# Explicit adapters, so no code path relies on sqlite3's deprecated default ones (3.12+).
sqlite3.register_adapter(datetime, lambda value: value.isoformat(" "))
sqlite3.register_adapter(date, lambda value: value.isoformat())


def parse_url(url: str) -> URL:
    """The URL with the default driver for each backend, or ``ConfigError`` naming it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("--db", "url", f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            "--db", "url", f"unsupported database {backend!r}; use sqlite or postgresql"
        )
    return parsed


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA recursive_triggers = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    begin = connection.get_execution_options().get("sqlite_begin", "BEGIN")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if begin == "BEGIN IMMEDIATE" else "BEGIN")


def create_engine_for(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///file.db`` or ``postgresql+psycopg://...``)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database in (None, "", ":memory:"):
            engine = create_engine(
                parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            parent = Path(database).parent
            if not parent.is_dir():
                raise ConfigError("--db", "url", f"directory {str(parent)!r} does not exist")
            engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(parsed, pool_pre_ping=True)
    event.listen(engine, "begin", set_organization_at_begin)
    return engine


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """Alembic configuration built in code (no alembic.ini); the scripts ship in the package."""
    config = AlembicConfig()
    config.set_main_option("script_location", MIGRATIONS)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` empties it) in one transaction."""
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def ensure_current(engine: Engine) -> None:
    """Upgrade to head unless the database is there already (cheap to call on every import)."""
    if current_revision(engine) != head_revision():
        upgrade(engine)
