"""Migrations build the whole schema from empty, and undo it, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ptrcm.store import db
from ptrcm.store.tables import GLOBAL_TABLES, metadata

QUEUE = "procrastinate_"  # the job queue's own tables (migration 0032, PostgreSQL only)


def _tables(engine: object) -> set[str]:
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}  # type: ignore[arg-type]
    return {n for n in names if not n.startswith(QUEUE)}


def _queue_tables(engine: object) -> set[str]:
    return {n for n in inspect(engine).get_table_names() if n.startswith(QUEUE)}  # type: ignore[arg-type]


def _ours(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    return not (kind == "table" and name is not None and name.startswith(QUEUE))


def test_migrations_create_every_table_from_an_empty_database(db_url: str) -> None:
    engine = db.create_engine_for(db_url)
    assert _tables(engine) == set()
    db.upgrade(engine)
    assert _tables(engine) == set(metadata.tables)
    queue = {"procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers",
             "procrastinate_workers"}  # fmt: skip
    assert _queue_tables(engine) == (queue if engine.dialect.name == "postgresql" else set())
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_migrated_schema_matches_the_table_definitions_exactly(db_url: str) -> None:
    engine = db.create_engine_for(db_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _ours}
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_downgrade_to_base_then_upgrade_again_round_trips(db_url: str) -> None:
    engine = db.create_engine_for(db_url)
    db.upgrade(engine)
    db.downgrade(engine, "base")
    assert _tables(engine) == set()
    assert _queue_tables(engine) == set()
    assert db.current_revision(engine) is None
    db.upgrade(engine)
    assert _tables(engine) == set(metadata.tables)
    engine.dispose()


def test_every_table_but_organizations_and_identity_belongs_to_an_organization() -> None:
    # A person signs in before choosing an organization: users, their sessions and sign-in
    # attempts are the only rows outside one (ptrcm.store.tables.identity).
    assert set(GLOBAL_TABLES) == {"organizations", "users", "sessions", "login_attempts"}
    for name, table in metadata.tables.items():
        if name in GLOBAL_TABLES:
            continue
        assert "org_id" in table.c, name
        assert not table.c.org_id.nullable, name
