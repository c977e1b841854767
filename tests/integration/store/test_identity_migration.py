"""Migration 0014 on a database with data: the old per-organization users become one user per
e-mail with a membership per organization, audit rows keep naming them (now as members),
and the append-only guards survive the renames."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ptrcm.store import db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at_0013_with_two_orgs_sharing_a_person(db_url: str) -> object:
    engine = db.create_engine_for(db_url)
    db.upgrade(engine, "0013")
    with engine.begin() as conn:
        for org_id, slug in ((1, "clinic-a"), (2, "clinic-b")):
            conn.execute(
                text(
                    "INSERT INTO organizations (id, slug, name, created_at) VALUES (:i, :s, :s, :t)"
                ),
                {"i": org_id, "s": slug, "t": NOW},
            )
        rows = [(10, 1, "Pat@Example.org", "biller"), (11, 2, "pat@example.org", "manager"),
                (12, 2, "kim@example.org", "admin")]  # fmt: skip
        for user_id, org_id, email, role in rows:
            conn.execute(
                text(
                    "INSERT INTO users (id, org_id, email, display_name, role, active, created_at)"
                    " VALUES (:i, :o, :e, 'Pat', :r, true, :t)"
                ),
                {"i": user_id, "o": org_id, "e": email, "r": role, "t": NOW},
            )
        conn.execute(
            text(
                "INSERT INTO audit_log (org_id, user_id, actor, action, table_name, occurred_at,"
                " created_at) VALUES (2, 11, 'web', 'read', 'claims', :t, :t)"
            ),
            {"t": NOW},
        )
    return engine


def test_old_users_become_people_with_memberships_and_audit_rows_follow(db_url: str) -> None:
    engine = _at_0013_with_two_orgs_sharing_a_person(db_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        people = conn.execute(text("SELECT id, username FROM users ORDER BY username")).all()
        assert [p.username for p in people] == ["kim@example.org", "pat@example.org"]
        pat = people[1].id
        members = conn.execute(
            text("SELECT id, org_id, user_id, role FROM memberships ORDER BY id")
        ).all()
        assert [(m.id, m.org_id, m.role) for m in members] == [
            (10, 1, "biller"), (11, 2, "manager"), (12, 2, "admin"),
        ]  # fmt: skip
        assert members[0].user_id == members[1].user_id == pat
        audit = conn.execute(text("SELECT org_id, membership_id FROM audit_log")).one()
        assert tuple(audit) == (2, 11)
    engine.dispose()  # type: ignore[attr-defined]


def test_the_audit_log_still_refuses_changes_and_names_only_members(db_url: str) -> None:
    engine = _at_0013_with_two_orgs_sharing_a_person(db_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE audit_log SET actor = 'x'"))
        conn.rollback()
        # Membership 10 is in clinic-a: a clinic-b audit row cannot name it.
        with pytest.raises(IntegrityError):
            conn.execute(
                text(
                    "INSERT INTO audit_log (org_id, membership_id, actor, action, table_name,"
                    " occurred_at, created_at) VALUES (2, 10, 'web', 'read', 'claims', :t, :t)"
                ),
                {"t": NOW},
            )
        conn.rollback()
    engine.dispose()  # type: ignore[attr-defined]


def test_downgrade_to_0013_gives_the_old_rows_back(db_url: str) -> None:
    engine = _at_0013_with_two_orgs_sharing_a_person(db_url)
    db.upgrade(engine)
    db.downgrade(engine, "0013")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, org_id, role FROM users ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(10, 1, "biller"), (11, 2, "manager"), (12, 2, "admin")]
        assert conn.execute(text("SELECT user_id FROM audit_log")).scalar_one() == 11
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit_log"))
        conn.rollback()
    engine.dispose()  # type: ignore[attr-defined]
