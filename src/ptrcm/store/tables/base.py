"""Shared pieces of the schema: metadata, id type and the tenant-table helper.

Every table except ``organizations`` belongs to one organization (tenant). References
between tenant tables are composite foreign keys ``(org_id, x_id) -> x(org_id, id)``, so
the database itself refuses a row that points at another organization's record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Table,
    UniqueConstraint,
)
from sqlalchemy.schema import SchemaItem
from sqlalchemy.types import TypeEngine

from ptrcm.store.types import UTCDateTime, utc_now

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# BIGINT on PostgreSQL; on SQLite only "INTEGER PRIMARY KEY" aliases the rowid.
Id: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")

# JSON documents (diagnosis lists, snapshots, problem lists); never money arithmetic.
Json: TypeEngine[Any] = JSON()


def id_column() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def created_at() -> Column[Any]:
    return Column("created_at", UTCDateTime(), nullable=False, default=utc_now)


def ref(name: str, *, nullable: bool = True) -> Column[int]:
    """A reference column; pair it with an entry in ``tenant_table(refs=...)``."""
    return Column(name, Id, nullable=nullable)


def tenant_table(
    name: str,
    *items: SchemaItem,
    refs: Mapping[str, str] | None = None,
    cascade: frozenset[str] = frozenset(),
) -> Table:
    """A table owned by one organization: ``id``, ``org_id``, ``created_at`` and ``items``.

    ``refs`` maps a reference column to the tenant table it points at; each becomes a
    composite foreign key through ``org_id``. Columns named in ``cascade`` delete with
    their parent (child rows such as a visit's services).
    """
    fks = [
        ForeignKeyConstraint(
            ["org_id", column],
            [f"{target}.org_id", f"{target}.id"],
            ondelete="CASCADE" if column in cascade else None,
        )
        for column, target in (refs or {}).items()
    ]
    return Table(
        name,
        metadata,
        id_column(),
        Column("org_id", Id, ForeignKey("organizations.id"), nullable=False),
        *items,
        created_at(),
        *fks,
        UniqueConstraint("org_id", "id"),
    )
