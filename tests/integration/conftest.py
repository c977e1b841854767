"""Fixtures for tests against real databases: the same test runs on SQLite and PostgreSQL.

``db_url`` is a fresh, empty database for each test: a SQLite file in ``tmp_path``, or a
uniquely named schema on the PostgreSQL server named by ``PTRCM_TEST_POSTGRES_URL``
(dropped afterwards). Without that variable the PostgreSQL half is skipped with a reason.
``store`` is a ``Store`` on ``db_url`` migrated to head.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ptrcm.store.repository import Store

POSTGRES_ENV = "PTRCM_TEST_POSTGRES_URL"


def _postgres_schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(kind: str, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """The URL of a fresh, empty database of ``kind`` ("sqlite" or "postgresql"); the
    PostgreSQL schema is dropped afterwards. Skips the test when PostgreSQL is not set up."""
    if kind == "sqlite":
        yield f"sqlite:///{os.path.join(tmp_path, 'ptrcm.db')}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL half skipped: set {POSTGRES_ENV}"
            " (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    schema = f"ptrcm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_postgres_schema_url(base, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    try:
        yield opened
    finally:
        opened.close()
