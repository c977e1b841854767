"""X12 control numbers (ISA, GS, ST): one counter per organization and kind."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from ptrcm.errors import InvariantError
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.tables import control_counters

COUNTERS = ("ISA", "GS", "ST")
MAX_CONTROL = {"ISA": 999_999_999, "GS": 999_999_999, "ST": 999_999_999}


class ControlNumbers(OrgScoped):
    """Per-organization ISA/GS/ST control numbers: each call hands out the next one.

    The increment is one ``UPDATE ... RETURNING``, so concurrent writers on PostgreSQL
    serialize on the counter row and never get the same number.
    """

    def next(self, counter: str) -> int:
        if counter not in COUNTERS:
            raise InvariantError(f"unknown control-number counter {counter!r}")
        exists = self.conn.execute(
            self.scoped(control_counters, control_counters.c.id).where(
                control_counters.c.counter == counter
            )
        ).first()
        if exists is None:
            self.conn.execute(insert(control_counters), self.new_row(counter=counter, last_value=0))
        value = self.conn.execute(
            update(control_counters)
            .where(control_counters.c.org_id == self.org_id, control_counters.c.counter == counter)
            .values(last_value=control_counters.c.last_value + 1)
            .returning(control_counters.c.last_value)
        ).scalar_one()
        if value > MAX_CONTROL[counter]:
            raise InvariantError(f"{counter} control numbers exhausted for this organization")
        return int(value)

    def peek(self, counter: str) -> int:
        found = self.conn.execute(
            select(control_counters.c.last_value).where(
                control_counters.c.org_id == self.org_id, control_counters.c.counter == counter
            )
        ).scalar_one_or_none()
        return 0 if found is None else int(found)
