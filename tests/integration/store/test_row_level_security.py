"""Row-level security, the second wall: even raw SQL from the app's role sees and writes only
the rows of the organization its transaction names, and none when it names none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ptrcm.store import db
from ptrcm.store.audit import AuditEvent
from ptrcm.store.repository import Store
from ptrcm.store.tables import metadata
from ptrcm.store.tenancy import tenant_tables
from tests.integration.postgres_roles import Deployment, deployment

ROW = "INSERT INTO patients (org_id, external_id, sex, created_at) VALUES (:org, :ext, 'U', now())"


@pytest.fixture(scope="module")
def two_clinics() -> Iterator[tuple[Deployment, int, int]]:
    """Clinic A with three patients, clinic B with two, written by the owner."""
    with deployment() as found:
        owner = db.create_engine_for(found.owner_url)
        try:
            with owner.begin() as conn:
                ids = [
                    conn.execute(
                        text("INSERT INTO organizations (slug, name, created_at)"
                             " VALUES (:s, :s, now()) RETURNING id"), {"s": slug},
                    ).scalar_one()
                    for slug in ("clinic-a", "clinic-b")
                ]  # fmt: skip
                for org, n in zip(ids, (3, 2), strict=True):
                    for i in range(n):
                        conn.execute(text(ROW), {"org": org, "ext": f"P-{org}-{i}"})
        finally:
            owner.dispose()
        yield found, ids[0], ids[1]


def _count(url: str, sql: str, org: int | None = None) -> int:
    engine = db.create_engine_for(url)
    try:
        with engine.connect() as conn:
            if org is not None:
                conn.execute(text("SELECT set_config('ptrcm.org_id', :o, true)"), {"o": str(org)})
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_raw_query_with_the_wrong_org_set_sees_none_of_the_other_org(
    two_clinics: tuple[Deployment, int, int],
) -> None:
    found, a, b = two_clinics
    foreign = f"SELECT count(*) FROM patients WHERE org_id = {b}"
    assert _count(found.app_url, foreign, org=a) == 0
    assert _count(found.app_url, "SELECT count(*) FROM patients", org=a) == 3
    assert _count(found.app_url, "SELECT count(*) FROM patients", org=b) == 2


@pytest.mark.postgres
def test_with_no_org_set_the_app_role_reads_no_row(
    two_clinics: tuple[Deployment, int, int],
) -> None:
    found, _a, _b = two_clinics
    assert _count(found.app_url, "SELECT count(*) FROM patients") == 0
    assert _count(found.app_url, "SELECT count(*) FROM organizations") == 2  # exempt: a slug
    # is looked up before any organization is set


@pytest.mark.postgres
def test_the_owner_is_unaffected(two_clinics: tuple[Deployment, int, int]) -> None:
    found, _a, _b = two_clinics
    assert _count(found.owner_url, "SELECT count(*) FROM patients") == 5


@pytest.mark.postgres
def test_the_app_role_cannot_write_a_row_into_another_org(
    two_clinics: tuple[Deployment, int, int],
) -> None:
    found, a, b = two_clinics
    engine = db.create_engine_for(found.app_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT set_config('ptrcm.org_id', :o, true)"), {"o": str(a)})
            with pytest.raises(DBAPIError, match="row-level security"):
                conn.execute(text(ROW), {"org": b, "ext": "P-smuggled"})
            conn.rollback()
            conn.execute(text("SELECT set_config('ptrcm.org_id', :o, true)"), {"o": str(a)})
            moved = conn.execute(text(f"UPDATE patients SET sex = 'F' WHERE org_id = {b}"))
            assert moved.rowcount == 0
            conn.rollback()
    finally:
        engine.dispose()
    assert _count(found.owner_url, "SELECT count(*) FROM patients WHERE sex = 'F'") == 0


@pytest.mark.postgres
def test_a_unit_of_work_sets_its_org_and_leaves_nothing_behind_on_the_connection(
    two_clinics: tuple[Deployment, int, int],
) -> None:
    found, a, b = two_clinics
    store = Store.open(found.app_url)
    try:
        with store.unit_of_work(a, "user:ana") as uow:
            seen = uow.connection.execute(text("SELECT count(*) FROM patients")).scalar_one()
            uow.audit.record([AuditEvent("read", "patients", "P-1")])
            uow.commit()  # the next transaction of the unit is set to the org as well
            again = uow.connection.execute(text("SELECT count(*) FROM patients")).scalar_one()
        with store.connect(b) as conn:
            other = conn.execute(text("SELECT count(*) FROM patients")).scalar_one()
        with store.engine.connect() as conn:  # a pooled connection, no org named
            after = conn.execute(text("SELECT count(*) FROM patients")).scalar_one()
            setting = conn.execute(text("SELECT current_setting('ptrcm.org_id', true)")).scalar()
    finally:
        store.close()
    assert (seen, again, other, after) == (3, 3, 2, 0)
    assert setting in (None, "")


@pytest.mark.postgres
def test_every_tenant_table_has_forced_rls_and_both_policies(
    two_clinics: tuple[Deployment, int, int],
) -> None:
    found, _a, _b = two_clinics
    engine = db.create_engine_for(found.owner_url)
    try:
        with engine.connect() as conn:
            forced = set(conn.execute(text(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity"
                " AND relforcerowsecurity AND relnamespace = 'public'::regnamespace"
            )).scalars())  # fmt: skip
            policies = set(conn.execute(text(
                "SELECT tablename || ':' || policyname FROM pg_policies WHERE schemaname = 'public'"
            )).scalars())  # fmt: skip
    finally:
        engine.dispose()
    wanted = set(tenant_tables(metadata))  # a new tenant table needs its policies too
    assert forced == wanted
    # the audit trail splits its tenant policy in two: read per org, append (migration 0018)
    audit = ("ptrcm_tenant_read", "ptrcm_tenant_append", "ptrcm_owner")
    assert policies == {
        f"{t}:{p}"
        for t in wanted
        for p in (audit if t == "audit_log" else ("ptrcm_tenant", "ptrcm_owner"))
    }


AUDIT = (
    "INSERT INTO audit_log (org_id, actor, action, table_name, occurred_at, created_at)"
    " VALUES (:org, 'user:admin', 'create', 'memberships', now(), now())"
)


@pytest.mark.postgres
def test_an_account_operation_appends_to_any_trail_but_reads_none_back(
    two_clinics: tuple[Deployment, int, int],
) -> None:
    """No organization chosen (a user added, a membership granted): the app role appends
    to the organization's trail, cannot read it back, and inside a transaction working for
    clinic A cannot write into clinic B's trail."""
    found, a, b = two_clinics
    engine = db.create_engine_for(found.app_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(AUDIT), {"org": b})
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 0
        with engine.connect() as conn:
            conn.execute(text("SELECT set_config('ptrcm.org_id', :o, true)"), {"o": str(a)})
            with pytest.raises(DBAPIError, match="row-level security"):
                conn.execute(text(AUDIT), {"org": b})
            conn.rollback()
    finally:
        engine.dispose()
    seen_by_b = "SELECT count(*) FROM audit_log WHERE actor = 'user:admin'"
    assert _count(found.app_url, seen_by_b, org=b) == 1
    assert _count(found.app_url, seen_by_b, org=a) == 0
