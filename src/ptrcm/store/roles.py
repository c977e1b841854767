"""Least privilege on PostgreSQL: the login role the app connects as, and what it may do.

Migrations run as the *owner*: the role that owns the schema's tables. The app connects as
an *app role* that is no superuser, owns nothing, is no member of the owner, and holds
only ``SELECT`` and ``INSERT`` on every table, ``UPDATE`` and ``DELETE`` on the tables that
are not append-only, the use of the sequences, and temporary tables of its own (where bulk
inserts stage their rows). So it cannot ``ALTER`` a table (nor
``DISABLE TRIGGER`` its guards), ``TRUNCATE``, ``SET session_replication_role`` (which
would silence every trigger), rewrite the ledger, the money tables, claim transitions or
the audit log, or read another organization's rows (row-level security,
``ptrcm.store.tenancy``).

``ensure_app_role`` creates the role (or corrects its attributes) and grants; run it again
at any time, it converges. The owner's default privileges give the app ``SELECT`` and
``INSERT`` on tables later migrations create, so a new table works before it is granted
more, never the other way round; ``refresh_app_grants`` (run by ``ptrcm db upgrade``)
re-grants every app role so found. ``check_app_role`` verifies all of it from the
catalogs and says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ptrcm.errors import PtrcmError
from ptrcm.store.tables import APPEND_ONLY_TABLES

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
VERSION_TABLE = "alembic_version"
# What an app role must not be allowed (pg_roles columns).
FORBIDDEN_ATTRIBUTES = ("rolsuper", "rolbypassrls", "rolcreaterole", "rolcreatedb",
                        "rolreplication")  # fmt: skip
_CLAUSE = {"rolsuper": "NOSUPERUSER", "rolbypassrls": "NOBYPASSRLS",
           "rolcreaterole": "NOCREATEROLE", "rolcreatedb": "NOCREATEDB",
           "rolreplication": "NOREPLICATION"}  # fmt: skip
_LABEL = {"rolsuper": "not a superuser", "rolbypassrls": "does not bypass row-level security",
          "rolcreaterole": "cannot create roles", "rolcreatedb": "cannot create databases",
          "rolreplication": "no replication"}  # fmt: skip


class RoleError(PtrcmError):
    """The app role cannot be set up as asked (a bad name, the owner itself, no schema)."""


@dataclass(frozen=True, slots=True)
class RoleCheck:
    """One property of the app role, verified from the catalogs."""

    check: str
    ok: bool
    detail: str = ""


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar()


def _schema_and_owner(conn: Connection) -> tuple[str, str]:
    """The schema the migrations use (``current_schema()``) and the owner of its tables."""
    schema = str(_scalar(conn, "SELECT current_schema()"))
    owner = _scalar(
        conn,
        "SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = :t",
        s=schema,
        t=VERSION_TABLE,
    )
    if owner is None:
        raise RoleError(
            f"schema {schema!r} has no ptrcm tables: run `ptrcm db upgrade` as the owner first"
        )
    return schema, str(owner)


def _tables(conn: Connection, schema: str) -> list[str]:
    rows = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
        {"s": schema},
    )
    return [str(name) for (name,) in rows]


def checked_role_name(role: str) -> str:
    if not ROLE_NAME.match(role):
        raise RoleError(
            f"--app-role {role!r}: a role name is lower-case letters, digits and _ (max 63),"
            " not starting with a digit"
        )
    return role


def ensure_app_role(conn: Connection, role: str, password: str | None = None) -> list[str]:
    """Create ``role`` (or correct it) and grant it the app's privileges, in ``conn``'s
    transaction, which must be the owner's (or a superuser's). Returns what was done.

    ``password`` is sent as a SCRAM verifier computed here, never as clear text (which the
    server could log)."""
    role = checked_role_name(role)
    schema, owner = _schema_and_owner(conn)
    if role in (owner, str(_scalar(conn, "SELECT current_user"))):
        raise RoleError(
            f"--app-role {role}: that is the owner's role; the app needs a role of its own"
        )
    done: list[str] = []
    found = conn.execute(
        text(f"SELECT rolcanlogin, {', '.join(FORBIDDEN_ATTRIBUTES)} FROM pg_roles"
             " WHERE rolname = :r"),
        {"r": role},
    ).first()  # fmt: skip
    name = _q(conn, role)
    if found is None:
        conn.execute(text(f"CREATE ROLE {name} LOGIN {' '.join(_CLAUSE.values())}"))
        done.append(f"created role {role}")
    else:
        clauses = [_CLAUSE[a] for a in FORBIDDEN_ATTRIBUTES if getattr(found, a)]
        if not found.rolcanlogin:
            clauses.append("LOGIN")
        if clauses:
            conn.execute(text(f"ALTER ROLE {name} {' '.join(clauses)}"))
            done.append(f"role {role}: {' '.join(clauses)}")
    if password is not None:
        # Driver SQL: the verifier's ':' must not read as a bound parameter.
        conn.exec_driver_sql(f"ALTER ROLE {name} PASSWORD '{_verifier(conn, role, password)}'")
        done.append(f"role {role}: password set")
    grant_app_privileges(conn, role, schema, owner)
    done.append(f"granted {role} the app's privileges in schema {schema}")
    return done


def _verifier(conn: Connection, role: str, password: str) -> str:
    raw = conn.connection.driver_connection
    encrypted = raw.pgconn.encrypt_password(  # type: ignore[union-attr]
        password.encode(), role.encode(), b"scram-sha-256"
    )
    verifier = bytes(encrypted).decode("ascii")
    if "'" in verifier:  # a SCRAM verifier is base64 and '$:' only; never quote-breaking
        raise RoleError("unexpected password verifier from the driver")
    return verifier


def grant_app_privileges(
    conn: Connection, role: str, schema: str | None = None, owner: str | None = None
) -> None:
    """The app's privileges, exactly: whatever ``role`` held on the schema's tables is
    revoked first, so a privilege granted by hand (``TRUNCATE``, ``UPDATE`` on the
    ledger) does not survive a run."""
    if schema is None or owner is None:
        schema, owner = _schema_and_owner(conn)
    r, s = _q(conn, checked_role_name(role)), _q(conn, schema)
    database = _q(conn, str(_scalar(conn, "SELECT current_database()")))
    tables = _tables(conn, schema)
    mutable = [t for t in tables if t not in APPEND_ONLY_TABLES and t != VERSION_TABLE]
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {r}",
        # bulk inserts stage rows in a temporary table (``ptrcm.store.bulk``): granted to
        # the role itself, so revoking TEMPORARY from PUBLIC does not stop posting
        f"GRANT TEMPORARY ON DATABASE {database} TO {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"REVOKE INSERT ON {s}.{VERSION_TABLE} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(conn, owner)} IN SCHEMA {s}"
        f" GRANT SELECT, INSERT ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(conn, owner)} IN SCHEMA {s}"
        f" GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]
    if mutable:
        names = ", ".join(f"{s}.{_q(conn, t)}" for t in mutable)
        statements.append(f"GRANT UPDATE, DELETE ON {names} TO {r}")
    for statement in statements:
        conn.execute(text(statement))
    if _scalar(conn, "SELECT has_schema_privilege(:r, :s, 'CREATE')", r=role, s=schema):
        # Through PUBLIC (PostgreSQL before 15 lets everyone create in ``public``).
        conn.execute(text(f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC"))


def app_roles(conn: Connection) -> list[str]:
    """The roles the owner grants by default in this schema: the app roles
    ``ensure_app_role`` set up."""
    schema, owner = _schema_and_owner(conn)
    rows = conn.execute(
        text(
            "SELECT DISTINCT a.grantee::regrole::text FROM pg_default_acl d,"
            " aclexplode(d.defaclacl) a WHERE d.defaclrole = :o ::regrole"
            " AND d.defaclnamespace = :s ::regnamespace AND a.grantee <> 0 ORDER BY 1"
        ),
        {"o": owner, "s": schema},
    )
    return [str(name).strip('"') for (name,) in rows]


def refresh_app_grants(conn: Connection) -> list[str]:
    """Grant every app role the privileges on the tables as they now are (after a
    migration added or dropped some). Returns the roles granted."""
    schema, owner = _schema_and_owner(conn)
    found = app_roles(conn)
    for role in found:
        grant_app_privileges(conn, role, schema, owner)
    return found


def check_app_role(conn: Connection, role: str) -> list[RoleCheck]:
    """Every property the app role must have, each verified from the catalogs."""
    role = checked_role_name(role)
    schema, owner = _schema_and_owner(conn)
    found = conn.execute(
        text(f"SELECT rolcanlogin, {', '.join(FORBIDDEN_ATTRIBUTES)} FROM pg_roles"
             " WHERE rolname = :r"),
        {"r": role},
    ).first()  # fmt: skip
    if found is None:
        return [RoleCheck("exists", False, f"no role {role}: run `ptrcm db roles`")]
    checks = [RoleCheck("can log in", bool(found.rolcanlogin))]
    checks += [RoleCheck(_LABEL[a], not getattr(found, a)) for a in FORBIDDEN_ATTRIBUTES]

    def names(sql: str, **params: object) -> list[str]:
        rows = conn.execute(text(sql), {"r": role, "s": schema, **params})
        return [str(n) for (n,) in rows]

    def flag(sql: str, **params: object) -> bool:
        return bool(_scalar(conn, sql, r=role, s=schema, **params))

    owned = names("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tableowner = :r")
    checks.append(RoleCheck("owns no table", not owned, ", ".join(owned[:5])))
    member = flag("SELECT pg_has_role(:r, :o, 'USAGE')", o=owner)
    checks.append(RoleCheck(f"is not a member of the owner ({owner})", not member))
    create = flag("SELECT has_schema_privilege(:r, :s, 'CREATE')")
    checks.append(RoleCheck(f"cannot create objects in schema {schema}", not create))
    temporary = flag("SELECT has_database_privilege(:r, current_database(), 'TEMPORARY')")
    checks.append(RoleCheck("can create temporary tables (bulk inserts stage rows)", temporary))
    tables = _tables(conn, schema)
    fixed = [t for t in tables if t in APPEND_ONLY_TABLES or t == VERSION_TABLE]
    mutable = [t for t in tables if t not in fixed]
    writable = [t for t in tables if t != VERSION_TABLE]
    for label, privilege, among, want in (
        ("SELECT on every table", "SELECT", tables, True),
        ("INSERT on every table but alembic_version", "INSERT", writable, True),
        ("UPDATE, DELETE on every table not append-only", "UPDATE,DELETE", mutable, True),
        ("no UPDATE, DELETE on the append-only tables and alembic_version", "UPDATE,DELETE",
         fixed, False),
        ("no TRUNCATE, TRIGGER, REFERENCES on any table", "TRUNCATE,TRIGGER,REFERENCES",
         tables, False),
    ):  # fmt: skip
        wrong = names(
            "SELECT t FROM unnest(CAST(:among AS text[])) AS t, unnest(CAST(:privs AS text[])) AS p"
            " WHERE has_table_privilege(:r, quote_ident(:s) || '.' || quote_ident(t), p) <> :want"
            " GROUP BY t ORDER BY t",
            among=among, privs=privilege.split(","), want=want,
        )  # fmt: skip
        checks.append(RoleCheck(label, not wrong, ", ".join(wrong[:5])))
    if int(str(_scalar(conn, "SHOW server_version_num"))) >= 150000:
        setting = flag("SELECT has_parameter_privilege(:r, 'session_replication_role', 'SET')")
        checks.append(RoleCheck("cannot SET session_replication_role", not setting))
    return checks
