"""Identity: users, their memberships in organizations, sessions, sign-in attempts and API
tokens (ARCHITECTURE §8; docs/security.md).

A person signs in before any organization is chosen, and a billing service's staff work
for several organizations, so ``users``, ``sessions`` and ``login_attempts`` belong to no
organization. ``memberships`` (a user's role in one organization) and ``api_tokens`` (an
integration's credential for one organization) do, through ``org_id``; they are still read
before a tenant is set (which organizations may this user enter? whose is this token?), so
a row-level-security policy on them keys on the user or the token hash, not on the
organization of the transaction. ``IDENTITY_TABLES`` names all five.

Secrets are never stored: a session's or token's value is kept as its SHA-256 (256 random
bits, so a slow hash adds nothing); a password as its Argon2id hash. A sign-in attempt
keeps the SHA-256 of the name typed, not the name, since people type passwords into the
user-name field.

Audit rows, claim transitions and work-item assignments name a *membership*
(``(org_id, membership_id) -> memberships``): the database itself refuses a row naming a
user who is not a member of that organization. Memberships are never deleted, only made
inactive, so the trail keeps its references.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    true,
)

from ptrcm.store.tables.base import Id, created_at, id_column, metadata, ref, tenant_table
from ptrcm.store.types import UTCDateTime

ROLES = "role IN ('therapist', 'front_desk', 'biller', 'manager', 'admin', 'auditor')"
SHA256_HEX = 64
ADDRESS = 64  # an IPv6 address with zone, or a proxy-forwarded one

users = Table(
    "users",
    metadata,
    id_column(),
    Column("username", String(64), nullable=False, unique=True),  # stored lower-case
    Column("display_name", String(200), nullable=False),
    Column("email", String(254)),
    Column("password_hash", String(255)),
    Column("password_changed_at", UTCDateTime()),
    Column("active", Boolean, nullable=False, server_default=true()),
    created_at(),
)

memberships = tenant_table(
    "memberships",
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    ref("provider_id"),  # a therapist's rendering provider: whose patients they see
    UniqueConstraint("org_id", "user_id"),
    CheckConstraint(ROLES, name="role"),
    refs={"provider_id": "providers"},
)

sessions = Table(
    "sessions",
    metadata,
    id_column(),
    Column("token_hash", String(SHA256_HEX), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("org_id", Id, ForeignKey("organizations.id")),  # the organization in use
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("idle_timeout_seconds", Integer, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),  # the absolute lifetime's end
    Column("client_address", String(ADDRESS)),
    Column("ended_at", UTCDateTime()),
    Column("end_reason", String(20)),
    created_at(),
    Index("ix_sessions_user", "user_id"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    id_column(),
    Column("username_hash", String(SHA256_HEX), nullable=False),
    Column("user_id", Id, ForeignKey("users.id")),
    Column("client_address", String(ADDRESS)),
    Column("succeeded", Boolean, nullable=False),
    Column("attempted_at", UTCDateTime(), nullable=False),
    Index("ix_login_attempts_name_time", "username_hash", "attempted_at"),
    Index("ix_login_attempts_address_time", "client_address", "attempted_at"),
)

api_tokens = tenant_table(
    "api_tokens",
    Column("name", String(64), nullable=False),
    Column("token_hash", String(SHA256_HEX), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),  # shown in lists, to tell tokens apart
    Column("role", String(20), nullable=False),
    Column("created_by", Id, ForeignKey("users.id")),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Column("last_used_at", UTCDateTime()),
    CheckConstraint(ROLES, name="role"),
)

IDENTITY_TABLES = ("users", "memberships", "sessions", "login_attempts", "api_tokens")
# The identity tables that belong to no organization (see the module docstring).
GLOBAL_TABLES = ("organizations", "users", "sessions", "login_attempts")
