"""The web app's wiring to the store: the access units of work (users, sessions, tokens,
the audit trail) and the data each principal reads.

``open_gate`` is what ``create_app`` calls: one store for both. A principal reads the data
of its organization; a therapist's, of their own patients (their membership's rendering
provider; a therapist tied to none reads no claim and no work-list item).
"""

from __future__ import annotations

from collections.abc import Callable

from ptrcm.domain.access import Principal
from ptrcm.services.alerts.ports import AlertsWork
from ptrcm.services.chart_audit.ports import ChartAuditWork
from ptrcm.services.clearinghouse.ports import ClearinghouseWork
from ptrcm.services.work.ports import WorkFlow
from ptrcm.store.access_repo import AccessUnitOfWork
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store, UnitOfWork
from ptrcm.web.auth import Gate
from ptrcm.web.deps import WebSettings
from ptrcm.web.ports import WebData
from ptrcm.web.store_data import StoreWebData

NO_PROVIDER = 0  # no provider has id 0: a therapist tied to none sees nothing


def scope_of(principal: Principal) -> int | None:
    """The rendering provider a principal's reads are narrowed to (None: the whole org)."""
    if not principal.own_patients_only:
        return None
    return principal.provider_id if principal.provider_id is not None else NO_PROVIDER


def open_gate(
    settings: WebSettings, data: WebData | None = None
) -> tuple[Gate, Callable[[], None]]:
    """The gate over ``settings.database_url`` and the function that closes its store."""
    store = Store.open(settings.database_url)

    def work_for(principal: Principal) -> WorkFlow:
        return lambda: claims_unit_of_work(store, principal.org_id, principal.actor, settings.now)

    def connections_for(principal: Principal) -> ClearinghouseWork:
        return lambda: claims_unit_of_work(store, principal.org_id, principal.actor, settings.now)

    def audits_for(principal: Principal) -> ChartAuditWork:
        return lambda: UnitOfWork(store.engine, principal.org_id, principal.actor, settings.now)

    def alerts_for(principal: Principal) -> AlertsWork:
        return lambda: UnitOfWork(store.engine, principal.org_id, principal.actor, settings.now)

    if data is not None:
        fixed = data

        def data_for(principal: Principal) -> WebData:
            return fixed

        gate = Gate(lambda: AccessUnitOfWork(store.engine), data_for, settings, work_for,
                    connections_for, audits_for, alerts_for)  # fmt: skip
        return gate, store.close
    readers = StoreWebData(settings, store)

    def scoped(principal: Principal) -> WebData:
        return readers.for_scope(principal.org_id, scope_of(principal))

    gate = Gate(lambda: AccessUnitOfWork(store.engine), scoped, settings, work_for,
                connections_for, audits_for, alerts_for)  # fmt: skip
    return gate, readers.close
