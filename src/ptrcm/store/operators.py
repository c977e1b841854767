"""Who a command line may act as: the user accounts it is checked against.

The one place that reads the ``users`` table for the command line's attribution
(``ptrcm.bootstrap.command_actor``); the web's sign-in reads it elsewhere. A user is named
by the user name they sign in with (or their address), compared without regard to case, and must be
active in the organization the command works on.
"""

from __future__ import annotations

from sqlalchemy import Engine, exists, func, or_, select

from ptrcm.store.tables import memberships, users


def user_accounts_exist(engine: Engine) -> bool:
    """Whether the database has any user account (a multi-user installation)."""
    with engine.connect() as conn:
        return bool(conn.execute(select(exists().select_from(users))).scalar())


def active_user_name(engine: Engine, org_id: int, name: str) -> str | None:
    """The user name of the active user of organization ``org_id`` that ``name`` names
    (user name or e-mail, either case); None when there is none."""
    query = (
        select(users.c.username)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(
            memberships.c.org_id == org_id,
            or_(
                func.lower(users.c.username) == name.lower(),
                func.lower(users.c.email) == name.lower(),
            ),
            users.c.active.is_(True),
            memberships.c.active.is_(True),
        )
    )
    with engine.connect() as conn:
        found = conn.execute(query.limit(1)).scalar()
    return None if found is None else str(found)


def role_of(engine: Engine, org_id: int, name: str) -> str | None:
    """The role of the active user ``name`` (user name, as ``command_actor`` records it)
    in organization ``org_id`` (None: not one)."""
    query = (
        select(memberships.c.role)
        .join(users, memberships.c.user_id == users.c.id)
        .where(
            memberships.c.org_id == org_id,
            func.lower(users.c.username) == name.lower(),
            users.c.active.is_(True),
            memberships.c.active.is_(True),
        )
    )
    with engine.connect() as conn:
        found = conn.execute(query.limit(1)).scalar()
    return None if found is None else str(found)
