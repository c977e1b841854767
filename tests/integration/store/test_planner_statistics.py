"""Foreign-key checks stay on the unique ``(org_id, id)`` index while one transaction grows
a table (``ptrcm.store.statistics``). Without statistics PostgreSQL checks a reference to
a patient through any small index that starts with ``org_id`` — a lookup that reads every
patient of the organization; once ``keep_statistics`` has analyzed the grown table, the
same lookup is one entry of the unique index. SQLite needs none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from ptrcm.store.bulk import insert_rows
from ptrcm.store.repository import Store
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import claims, patients

AT = datetime(2026, 3, 2, tzinfo=UTC)
# the query PostgreSQL runs for every row that references a patient
CHECK = "EXPLAIN SELECT 1 FROM ONLY patients x WHERE org_id = :org AND id = :id FOR KEY SHARE OF x"


def _patients(org: int, n: int) -> list[dict[str, object]]:
    return [
        {"org_id": org, "created_at": AT, "external_id": f"P-{i}", "birth_date": date(1950, 1, 1)}
        for i in range(n)
    ]


def test_a_grown_table_is_analyzed_and_checked_through_its_unique_index(store: Store) -> None:
    org = store.create_organization("stats")
    with store.connect(org) as conn, conn.begin():
        ids = insert_rows(conn, patients, _patients(org, 3000), ids=True)
        if conn.dialect.name != "postgresql":
            assert keep_statistics(conn, [claims]) == []
            return
        plan = " ".join(conn.execute(text(CHECK), {"org": org, "id": ids[-1]}).scalars())
        # the unanalyzed table: the tie goes to a small index that reads the whole org
        assert "uq_patients_org_id_id" not in plan and "pk_patients" not in plan
        analyzed = keep_statistics(conn, [claims])  # claims reference patients
        assert "patients" in analyzed
        plan = " ".join(conn.execute(text(CHECK), {"org": org, "id": ids[-1]}).scalars())
        assert "uq_patients_org_id_id" in plan or "pk_patients" in plan
        # nothing grew since: nothing to do
        assert "patients" not in keep_statistics(conn, [claims])
        insert_rows(conn, patients, _patients(org, 7000)[3000:])
        assert "patients" in keep_statistics(conn, [claims])


def test_tables_the_role_does_not_own_are_left_to_autovacuum(store: Store) -> None:
    org = store.create_organization("stats")
    with store.connect(org) as conn, conn.begin():
        insert_rows(conn, patients, _patients(org, 3000))
        if conn.dialect.name != "postgresql":
            return
        role = f"ptrcm_stats_{org}_{abs(hash(str(store.engine.url))) % 10_000}"
        conn.execute(text(f"CREATE ROLE {role}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {_schema(conn)} TO {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_schema(conn)} TO {role}"))
        conn.execute(text(f"SET LOCAL ROLE {role}"))
        assert keep_statistics(conn, [claims]) == []  # no WARNING, no error, no wait
        conn.execute(text("RESET ROLE"))
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_schema(conn)} FROM {role}"))
        conn.execute(text(f"REVOKE ALL ON SCHEMA {_schema(conn)} FROM {role}"))
        conn.execute(text(f"DROP ROLE {role}"))


def _schema(conn: object) -> str:
    return str(conn.execute(text("SELECT current_schema()")).scalar_one())  # type: ignore[attr-defined]
