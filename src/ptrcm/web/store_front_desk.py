"""The front desk's web port over the store: booking checks and the daily work list.

The same services as ``ptrcm schedule check`` and ``ptrcm worklist``, read in one unit of
work per request for the organization the app serves, with the payers' ``auth_required``
from the configuration the app was started with (``ptrcm serve --config``). With a
``provider`` (a therapist's scope) the work list keeps the patients that provider treated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from sqlalchemy import and_, select

from ptrcm.config import Config
from ptrcm.services.front_desk.booking import BookingCheck, check_booking, payer_auth_rule
from ptrcm.services.front_desk.worklist import WorkItem, build_worklist
from ptrcm.store.front_desk_repo import FrontDeskRepository
from ptrcm.store.repository import Store
from ptrcm.store.tables import patients, visits
from ptrcm.web.ports import Booking
from ptrcm.web.tenant import Organization

ACTOR = "web"


class StoreFrontDesk:
    """``FrontDeskData`` for one organization of one store."""

    def __init__(
        self, store: Store, org: Organization, config: Config, provider: int | None = None
    ) -> None:
        self.store, self.org, self.provider = store, org, provider
        self.requires_auth = payer_auth_rule(config)

    @contextmanager
    def _repository(self) -> Iterator[FrontDeskRepository]:
        with self.store.unit_of_work(self.org.id(), ACTOR) as uow:
            yield FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)

    def check_booking(self, booking: Booking) -> BookingCheck:
        with self._repository() as repo:
            return check_booking(
                repo,
                booking.patient,
                booking.day,
                booking.discipline,
                booking.codes,
                payer_requires_auth=self.requires_auth,
            )

    def worklist(self, day: date, location: str | None, role: str | None) -> Sequence[WorkItem]:
        with self._repository() as repo:
            items = build_worklist(repo, day, location, role)
            if self.provider is None:
                return items
            treated = (
                select(patients.c.external_id)
                .join(
                    visits,
                    and_(visits.c.patient_id == patients.c.id, visits.c.org_id == repo.org_id),
                )
                .where(visits.c.provider_id == self.provider, patients.c.org_id == repo.org_id)
            )
            mine = set(repo.conn.execute(treated).scalars())
        return [i for i in items if i.patient in mine]
