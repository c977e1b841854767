"""The claim facts refresh of many claims (``ptrcm.store.claim_facts.refresh_claim_facts``)
costs the same statements whatever the week's size on PostgreSQL: the ids are one array
parameter, so a week's claims are one DELETE and one INSERT per fact table, not one per
chunk of 2,000 with a placeholder per id in each of the facts query's twelve lists (each
chunk read the organization's claim transitions, versions and scrub runs again, and the
driver parsed ~24,000 placeholders). SQLite refreshes chunks of ``CHUNK`` (5,000) claims,
each chunk's ids one JSON array parameter too."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event

from ptrcm.store.claim_facts import CHUNK, refresh_claim_facts
from ptrcm.store.repository import Store


def _writes(store: Store, org: int, ids: range) -> list[str]:
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith(("DELETE", "INSERT")):
            sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.connect(org) as conn, conn.begin():
            refresh_claim_facts(conn, org, ids)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return sent


FACT_TABLES = re.compile(r"^\s*(?:DELETE FROM|INSERT INTO) (claim_facts|claim_fact_\w+)\b")


def test_a_large_refresh_is_one_statement_per_fact_table_on_postgresql(store: Store) -> None:
    org = store.create_organization("facts")
    ids = range(1, 3 * CHUNK + 2)
    every = _writes(store, org, ids)
    sent = [s for s in every if FACT_TABLES.match(s)]
    rollups = [s for s in every if not FACT_TABLES.match(s)]  # the daily rollups (0034)
    assert rollups
    if store.engine.dialect.name != "postgresql":
        assert len(sent) == 6 * 4  # three DELETEs and three INSERTs per chunk
        return
    assert len(sent) == 6
    for statement in every:  # one array of ids, no placeholder per id, rollups included
        names = set(re.findall(r"%\((\w+)\)s", statement))
        assert not any(re.fullmatch(r"ids_\d+", n) for n in names)
        # every statement names the claims but the rollups' sweep of rows left empty
        sweep = statement.lstrip().startswith("DELETE") and not FACT_TABLES.match(statement)
        assert "ids" in names or sweep
        assert len(names) < 200  # the denial and contractual code lists are constants


def test_every_refresh_statement_binds_the_ids_once_on_sqlite_too(store: Store) -> None:
    """SQLite reads the ids from one JSON array (``json_each``), not a placeholder per id
    in each of a statement's lists of ids."""
    org = store.create_organization("facts")
    for statement in _writes(store, org, range(1, CHUNK + 1)):
        assert statement.count("?") + statement.count("%(") < 200


def test_a_refresh_leaves_the_transactions_planner_costs_as_they_were(store: Store) -> None:
    """The refresh lowers PostgreSQL's random page cost for its own statements only."""
    if store.engine.dialect.name != "postgresql":
        return
    org = store.create_organization("facts")
    with store.connect(org) as conn, conn.begin():
        conn.exec_driver_sql("SET LOCAL random_page_cost = 3.5")
        refresh_claim_facts(conn, org, range(1, 10))
        assert conn.exec_driver_sql("SHOW random_page_cost").scalar_one() == "3.5"
