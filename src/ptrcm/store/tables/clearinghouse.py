"""Clearinghouse connectivity (issue 14): every file sent or fetched, and each connector's
last success and last error.

``clearinghouse_files`` has one row per file and direction: ``out`` (an 837, 270 or 276
uploaded: ``sending`` then ``sent``) or ``in`` (a 999, 277CA, 277, 271 or 835 fetched:
``fetched`` then ``posted`` or ``failed``). A fetched file is known by its remote name and
SHA-256, so it is fetched and posted once. ``result`` holds counts and codes only, never
patient data. ``clearinghouse_status`` is one row per connector.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, String, UniqueConstraint

from ptrcm.store.tables.base import Json, tenant_table
from ptrcm.store.types import UTCDateTime

clearinghouse_files = tenant_table(
    "clearinghouse_files",
    Column("connector", String(40), nullable=False),
    Column("direction", String(3), nullable=False),
    Column("remote_name", String(255), nullable=False),
    Column("local_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("status", String(10), nullable=False),
    Column("result", Json, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("direction IN ('in', 'out')", name="direction"),
    CheckConstraint("status IN ('sending', 'sent', 'fetched', 'posted', 'failed')", name="status"),
    UniqueConstraint(
        "org_id",
        "connector",
        "direction",
        "remote_name",
        "sha256",
        name="uq_clearinghouse_files_identity",
    ),
    Index("ix_clearinghouse_files_org_connector", "org_id", "connector", "direction", "status"),
)

clearinghouse_status = tenant_table(
    "clearinghouse_status",
    Column("connector", String(40), nullable=False),
    Column("last_action", String(8)),
    Column("last_success_at", UTCDateTime()),
    Column("last_error_at", UTCDateTime()),
    Column("last_error", String(300)),
    UniqueConstraint("org_id", "connector", name="uq_clearinghouse_status_connector"),
)
