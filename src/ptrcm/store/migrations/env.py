"""Alembic environment: runs on the connection handed over by ``ptrcm.store.db``."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from ptrcm.store.tables import metadata

config = context.config


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # Autogenerate helper for writing new revisions: limit to the tables named in the env.
    wanted = os.environ.get("PTRCM_AUTOGEN_TABLES")
    if wanted and type_ == "table":
        return name in wanted.split(",")
    return True


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from ptrcm.store.db import create_engine_for

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("run migrations through ptrcm.store.db.upgrade or `ptrcm db upgrade`")
    with create_engine_for(url).begin() as conn:
        run_migrations(conn)


main()
