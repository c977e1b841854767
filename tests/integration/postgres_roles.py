"""A least-privilege PostgreSQL deployment for tests: an owner role (not a superuser) that
owns a database of its own and ran the migrations, and an app role set up by
``ensure_app_role``, both with names no other test uses, dropped afterwards.

Needs ``PTRCM_TEST_POSTGRES_URL`` to name a superuser (it creates the roles and the
database); skipped without it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from ptrcm.store import db
from ptrcm.store.roles import ensure_app_role

POSTGRES_ENV = "PTRCM_TEST_POSTGRES_URL"


@dataclass(frozen=True, slots=True)
class Deployment:
    database: str
    owner: str
    app: str
    owner_url: str
    app_url: str
    admin_url: str


def _url(base: str, user: str, database: str) -> str:
    url = make_url(base).set(username=user, database=database, password=None)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def postgres_base() -> str:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL only: set {POSTGRES_ENV} (a superuser's URL)")
    return base


@contextmanager
def deployment() -> Iterator[Deployment]:
    """The owner and app roles and their database, migrated to head and granted."""
    base = postgres_base()
    tag = uuid.uuid4().hex[:10]
    name, owner, app = f"ptrcm_t_{tag}", f"ptrcm_t_own_{tag}", f"ptrcm_t_app_{tag}"
    admin_url = _url(base, make_url(base).username or "postgres", "postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN CREATEROLE"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    found = Deployment(name, owner, app, _url(base, owner, name), _url(base, app, name), admin_url)
    try:
        engine = db.create_engine_for(found.owner_url)
        try:
            db.upgrade(engine)
            with engine.begin() as conn:
                ensure_app_role(conn, app)
        finally:
            engine.dispose()
        yield found
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {app}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()


def superuser_engine(found: Deployment) -> Engine:
    """The test server's superuser, in the deployment's database (to look at catalogs)."""
    base = postgres_base()
    return create_engine(_url(base, make_url(base).username or "postgres", found.database))
