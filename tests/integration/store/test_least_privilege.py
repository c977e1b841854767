"""PostgreSQL least privilege: the app's role cannot alter, truncate or silence the guards of
the tables it writes, nor rewrite the append-only ones; ``ptrcm db roles`` converges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.store import db
from ptrcm.store.audit import AuditEvent
from ptrcm.store.money_in_uow import money_in_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.roles import check_app_role, ensure_app_role, refresh_app_grants
from tests.e2e.cli import ptrcm
from tests.integration.postgres_roles import Deployment, deployment, superuser_engine

pytestmark = pytest.mark.postgres
DAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployment]:
    with deployment() as found:
        app = Store.open(found.app_url)
        try:
            org = app.create_organization("clinic-a")
            with app.unit_of_work(org, "user:ana") as uow:  # written as the app, under RLS
                uow.ledger.append([LedgerEntry("payment", Decimal("-42.00"), DAY)])
                uow.audit.record([AuditEvent("read", "claims", "PCN-1")])
                uow.commit()
        finally:
            app.close()
        yield found


REFUSED = [
    ("ALTER TABLE ledger_entries DISABLE TRIGGER ALL", "must be owner"),
    ("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", "must be owner"),
    ("ALTER TABLE claims ADD COLUMN note text", "must be owner"),
    ("ALTER TABLE patients NO FORCE ROW LEVEL SECURITY", "must be owner"),
    ("DROP TABLE visits", "must be owner"),
    ("TRUNCATE ledger_entries", "permission denied"),
    ("TRUNCATE patients", "permission denied"),
    ("SET session_replication_role = replica", "permission denied"),
    ("UPDATE ledger_entries SET amount = 0", "permission denied"),
    ("DELETE FROM ledger_entries", "permission denied"),
    ("UPDATE audit_log SET actor = 'nobody'", "permission denied"),
    ("DELETE FROM audit_log", "permission denied"),
    ("UPDATE claim_payments SET created_at = created_at", "permission denied"),
    ("DELETE FROM claim_transitions", "permission denied"),
    ("CREATE TABLE scratch (id int)", "permission denied"),
    ("CREATE ROLE intruder", "permission denied"),
    ("UPDATE alembic_version SET version_num = '0001'", "permission denied"),
]


@pytest.mark.parametrize(("statement", "reason"), REFUSED)
def test_the_app_role_is_refused(deployed: Deployment, statement: str, reason: str) -> None:
    engine = db.create_engine_for(deployed.app_url)
    try:
        with engine.connect() as conn:
            with pytest.raises(DBAPIError, match=reason):
                conn.execute(text(statement))
            conn.rollback()
    finally:
        engine.dispose()


def test_the_guarded_rows_are_still_there_and_the_owner_sees_them(deployed: Deployment) -> None:
    engine = db.create_engine_for(deployed.owner_url)
    try:
        with engine.connect() as conn:
            ledger = conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one()
            audit = conn.execute(text("SELECT actor FROM audit_log")).scalars().all()
    finally:
        engine.dispose()
    assert ledger == 1
    assert audit == ["user:ana"]


def test_every_check_of_the_app_role_passes(deployed: Deployment) -> None:
    engine = db.create_engine_for(deployed.owner_url)
    try:
        with engine.connect() as conn:
            checks = check_app_role(conn, deployed.app)
    finally:
        engine.dispose()
    assert [c.check for c in checks if not c.ok] == []
    assert len(checks) >= 15


def test_a_privilege_granted_by_hand_fails_the_check_and_the_next_run_removes_it(
    deployed: Deployment,
) -> None:
    engine = db.create_engine_for(deployed.owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"GRANT UPDATE, TRUNCATE ON ledger_entries TO {deployed.app}"))
        checked = ptrcm("db", "roles", "--check", "--app-role", deployed.app,
                        "--owner-url", deployed.owner_url)  # fmt: skip
        assert checked.returncode == 1, checked.stderr
        assert "FAIL no UPDATE, DELETE on the append-only tables" in checked.stdout
        assert "ledger_entries" in checked.stdout
        fixed = ptrcm("db", "roles", "--app-role", deployed.app, "--owner-url", deployed.owner_url)
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert f"app role {deployed.app}: ok" in fixed.stdout
        again = ptrcm("db", "roles", "--app-role", deployed.app, "--owner-url", deployed.owner_url)
        assert again.returncode == 0
        assert "created role" not in again.stdout  # it exists: the run converges, no error
    finally:
        engine.dispose()


def test_the_app_role_stages_bulk_rows_even_where_public_may_not_make_temporary_tables(
    deployed: Deployment,
) -> None:
    # A hardened server revokes TEMPORARY from PUBLIC; bulk inserts stage their rows in a
    # temporary table, so the app role holds the privilege itself.
    engine = db.create_engine_for(deployed.owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"REVOKE TEMPORARY ON DATABASE {deployed.database} FROM PUBLIC"))
            conn.execute(text(f"REVOKE TEMPORARY ON DATABASE {deployed.database}"
                              f" FROM {deployed.app}"))  # fmt: skip
            failed = [c.check for c in check_app_role(conn, deployed.app) if not c.ok]
        assert failed == ["can create temporary tables (bulk inserts stage rows)"]
        with engine.begin() as conn:
            ensure_app_role(conn, deployed.app)
            assert all(c.ok for c in check_app_role(conn, deployed.app))
    finally:
        engine.dispose()
    app = Store.open(deployed.app_url)
    try:
        org = app.ensure_organization("clinic-a")
        with money_in_unit_of_work(app, org, "user:ana") as work:  # one bulk insert
            entries = [LedgerEntry("payment", Decimal(f"-{i}.25"), DAY) for i in range(1, 41)]
            work.remits.add_ledger_entries(entries)
            work.commit()
        with app.unit_of_work(org, "user:ana") as uow:
            stored = [e["amount"] for e in uow.ledger.entries()]
    finally:
        app.close()
    assert [e.amount for e in entries] == [a for a in stored if a != Decimal("-42.00")][-40:]


def test_a_table_a_later_migration_adds_is_readable_at_once_and_writable_after_upgrade(
    deployed: Deployment,
) -> None:
    owner = db.create_engine_for(deployed.owner_url)
    app = db.create_engine_for(deployed.app_url)
    try:
        with owner.begin() as conn:
            conn.execute(text("CREATE TABLE later_notes (id serial PRIMARY KEY, note text)"))
        with app.begin() as conn:  # default privileges: SELECT and INSERT, nothing more
            conn.execute(text("INSERT INTO later_notes (note) VALUES ('x')"))
        with app.connect() as conn, pytest.raises(DBAPIError, match="permission denied"):
            conn.execute(text("UPDATE later_notes SET note = 'y'"))
        with owner.begin() as conn:  # what `ptrcm db upgrade` runs after the migrations
            assert refresh_app_grants(conn) == [deployed.app]
        with app.begin() as conn:
            assert conn.execute(text("UPDATE later_notes SET note = 'y'")).rowcount == 1
    finally:
        with owner.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS later_notes"))
        owner.dispose()
        app.dispose()


def test_the_password_is_stored_as_a_scram_verifier(deployed: Deployment) -> None:
    owner = db.create_engine_for(deployed.owner_url)
    admin = superuser_engine(deployed)
    try:
        with owner.begin() as conn:
            done = ensure_app_role(conn, deployed.app, "correct horse battery staple")
        with admin.connect() as conn:
            stored = conn.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": deployed.app}
            ).scalar_one()
    finally:
        owner.dispose()
        admin.dispose()
    assert f"role {deployed.app}: password set" in done
    assert stored.startswith("SCRAM-SHA-256$")
    assert "horse" not in stored


def test_the_owner_itself_cannot_be_made_the_app_role(deployed: Deployment) -> None:
    done = ptrcm("db", "roles", "--app-role", deployed.owner, "--owner-url", deployed.owner_url)
    assert done.returncode == 2
    assert "that is the owner's role" in done.stderr


def test_an_app_role_url_cannot_migrate_and_says_how(deployed: Deployment) -> None:
    done = ptrcm("db", "downgrade", "0013", "--db", deployed.app_url)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "ptrcm: error:" in done.stderr
