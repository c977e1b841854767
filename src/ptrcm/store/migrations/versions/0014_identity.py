"""identity: users who sign in, memberships in organizations, sessions, sign-in attempts,
API tokens; the audit trail names a member and a client address

The old per-organization ``users`` table becomes ``memberships`` (renamed in place, so the
audit log's, claim transitions' and work items' references follow it on both backends), and
loses the person's own columns to a new ``users`` table that belongs to no organization: one
person, one password, memberships in several organizations (a billing service's staff).
Existing rows are kept: one user per distinct e-mail address (it was unique per
organization), one membership per old row, same id, so references stay valid. The roles
gain ``auditor``. The referencing columns are renamed for what they hold:
``audit_log.user_id`` -> ``membership_id`` (and ``claim_transitions``,
``work_items.assigned_user_id`` -> ``assigned_membership_id``); renaming a column is done in
place on SQLite too, so the append-only triggers stay.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import ptrcm.store.types
from ptrcm.store.migrations.guards import add_append_only_guard, drop_append_only_guard

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = ptrcm.store.types.UTCDateTime(timezone=True)
ROLES = "role IN ('therapist', 'front_desk', 'biller', 'manager', 'admin', 'auditor')"
OLD_ROLES = "role IN ('therapist', 'front_desk', 'biller', 'manager', 'admin')"
APPEND_ONLY = ("audit_log", "claim_transitions")
# (table, old column, new column): the references to a member.
MEMBER_REFS = (
    ("audit_log", "user_id", "membership_id"),
    ("claim_transitions", "user_id", "membership_id"),
    ("work_items", "assigned_user_id", "assigned_membership_id"),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def upgrade() -> None:
    bind = op.get_bind()
    old = bind.execute(
        sa.text("SELECT id, org_id, email, display_name, password_hash FROM users ORDER BY id")
    ).all()
    op.rename_table("users", "memberships")
    if _postgres():
        for kind, name in (("pk", ""), ("uq", "_org_id_id"), ("fk", "_org_id_organizations")):
            op.execute(
                f"ALTER TABLE memberships RENAME CONSTRAINT {kind}_users{name}"
                f" TO {kind}_memberships{name}"
            )
        op.execute("ALTER SEQUENCE users_id_seq RENAME TO memberships_id_seq")
    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_changed_at", WHEN, nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    person_of = _carry_people(old)
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", ID, nullable=True))
        batch_op.add_column(sa.Column("provider_id", ID, nullable=True))
    for membership_id, user_id in person_of.items():
        bind.execute(
            sa.text("UPDATE memberships SET user_id = :u WHERE id = :m"),
            {"u": user_id, "m": membership_id},
        )
    for table, before, after in MEMBER_REFS:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {before} TO {after}")
        if _postgres():
            op.execute(
                f"ALTER TABLE {table} RENAME CONSTRAINT fk_{table}_org_id_{before}_users"
                f" TO fk_{table}_org_id_{after}_memberships"
            )
    with _references_detached(), op.batch_alter_table("memberships") as batch_op:
        batch_op.drop_constraint(op.f("uq_users_org_id_email"), type_="unique")
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        if not _postgres():  # renamed in place above on PostgreSQL
            batch_op.drop_constraint(op.f("uq_users_org_id_id"), type_="unique")
            batch_op.create_unique_constraint(op.f("uq_memberships_org_id_id"), ["org_id", "id"])
        batch_op.drop_column("email")
        batch_op.drop_column("display_name")
        batch_op.drop_column("password_hash")
        batch_op.alter_column("user_id", existing_type=ID, nullable=False)
        batch_op.create_check_constraint(op.f("ck_memberships_role"), ROLES)
        batch_op.create_unique_constraint(
            op.f("uq_memberships_org_id_user_id"), ["org_id", "user_id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_memberships_user_id_users"), "users", ["user_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_memberships_org_id_provider_id_providers"),
            "providers",
            ["org_id", "provider_id"],
            ["org_id", "id"],
        )
    # A plain ADD COLUMN: no table rebuild, so the audit log keeps its append-only triggers.
    op.add_column("audit_log", sa.Column("client_address", sa.String(length=64), nullable=True))
    _create_sessions_and_attempts()
    _create_api_tokens()


@contextmanager
def _references_detached() -> Iterator[None]:
    """On SQLite, rebuilding ``memberships`` drops the old table, and SQLite refuses to drop
    a row that another row references (``PRAGMA foreign_keys`` cannot be turned off inside
    the migration's transaction). So the references to members are set aside, NULLed (the
    append-only guards lifted for that moment), and put back once the table is rebuilt, all
    in the one transaction. PostgreSQL alters the table in place: nothing to do."""
    if _postgres():
        yield
        return
    bind = op.get_bind()
    kept: dict[str, list[tuple[int, int]]] = {}
    for table, _before, column in MEMBER_REFS:
        query = f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"
        kept[table] = [(int(i), int(m)) for i, m in bind.execute(sa.text(query))]
    guarded = [t for t, _b, _a in MEMBER_REFS if t in APPEND_ONLY and kept[t]]
    for table in guarded:
        drop_append_only_guard(table)
    for table, _before, column in MEMBER_REFS:
        if kept[table]:
            op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IS NOT NULL")
    yield
    for table, _before, column in MEMBER_REFS:
        for row_id, member in kept[table]:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :m WHERE id = :i"),
                {"m": member, "i": row_id},
            )
    for table in guarded:
        add_append_only_guard(table)


def _carry_people(old: Sequence[sa.Row[Any]]) -> dict[int, int]:
    """One user per distinct e-mail of the old rows; old row (now membership) id -> user."""
    bind = op.get_bind()
    users = sa.table(
        "users",
        sa.column("username", sa.String),
        sa.column("display_name", sa.String),
        sa.column("email", sa.String),
        sa.column("password_hash", sa.String),
        sa.column("created_at", WHEN),
    )
    by_email: dict[str, int] = {}
    person_of: dict[int, int] = {}
    now = datetime.now(UTC)
    for row in old:
        row_id, email = int(row.id), str(row.email)
        key = email.strip().lower()
        if key not in by_email:
            values = {
                "username": key[:64],
                "display_name": row.display_name,
                "email": email,
                "password_hash": row.password_hash,
                "created_at": now,
            }
            insert: Any = sa.insert(users).values(**values).returning(sa.column("id"))
            by_email[key] = int(bind.execute(insert).scalar_one())
        person_of[row_id] = by_email[key]
    return person_of


def _create_sessions_and_attempts() -> None:
    op.create_table(
        "sessions",
        _id(),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=True),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("idle_timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_sessions_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "login_attempts",
        _id(),
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_attempts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_name_time", "login_attempts", ["username_hash", "attempted_at"]
    )
    op.create_index(
        "ix_login_attempts_address_time", "login_attempts", ["client_address", "attempted_at"]
    )


def _create_api_tokens() -> None:
    op.create_table(
        "api_tokens",
        _id(),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint(ROLES, name=op.f("ck_api_tokens_role")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_api_tokens_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_api_tokens_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("org_id", "id", name=op.f("uq_api_tokens_org_id_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )


def downgrade() -> None:
    bind = op.get_bind()
    auditors = bind.execute(
        sa.text("SELECT count(*) FROM memberships WHERE role = 'auditor'")
    ).scalar_one()
    if auditors:
        raise RuntimeError(
            f"downgrade below 0014: {auditors} auditor membership(s) have no role in the old"
            " schema; make them another role first"
        )
    op.drop_table("api_tokens")
    op.drop_index("ix_login_attempts_address_time", table_name="login_attempts")
    op.drop_index("ix_login_attempts_name_time", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")
    op.drop_column("audit_log", "client_address")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
    bind.execute(
        sa.text(
            "UPDATE memberships SET email = (SELECT coalesce(u.email, u.username) FROM users u"
            " WHERE u.id = memberships.user_id), display_name = (SELECT u.display_name FROM"
            " users u WHERE u.id = memberships.user_id), password_hash = (SELECT"
            " u.password_hash FROM users u WHERE u.id = memberships.user_id)"
        )
    )
    with _references_detached(), op.batch_alter_table("memberships") as batch_op:
        batch_op.drop_constraint(op.f("fk_memberships_org_id_provider_id_providers"), "foreignkey")
        batch_op.drop_constraint(op.f("fk_memberships_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(op.f("uq_memberships_org_id_user_id"), type_="unique")
        batch_op.drop_constraint(op.f("ck_memberships_role"), type_="check")
        batch_op.drop_column("provider_id")
        batch_op.drop_column("user_id")
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch_op.alter_column("display_name", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_check_constraint(op.f("ck_users_role"), OLD_ROLES)
        if not _postgres():  # renamed in place below on PostgreSQL
            batch_op.drop_constraint(op.f("uq_memberships_org_id_id"), type_="unique")
            batch_op.create_unique_constraint(op.f("uq_users_org_id_id"), ["org_id", "id"])
        batch_op.create_unique_constraint(op.f("uq_users_org_id_email"), ["org_id", "email"])
    for table, before, after in MEMBER_REFS:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {after} TO {before}")
        if _postgres():
            op.execute(
                f"ALTER TABLE {table} RENAME CONSTRAINT fk_{table}_org_id_{after}_memberships"
                f" TO fk_{table}_org_id_{before}_users"
            )
    op.drop_table("users")
    op.rename_table("memberships", "users")
    if _postgres():
        op.execute("ALTER SEQUENCE memberships_id_seq RENAME TO users_id_seq")
        for kind, name in (("pk", ""), ("uq", "_org_id_id"), ("fk", "_org_id_organizations")):
            op.execute(
                f"ALTER TABLE users RENAME CONSTRAINT {kind}_memberships{name}"
                f" TO {kind}_users{name}"
            )
