"""Two client practices in one store, for the access tests: ``clinic-a`` (ours) and
``clinic-b`` (foreign), each with claims in the scrub-errors queue, visits by two
therapists, and work-list items; a member of clinic-a in every role; and a victim user and
an API token in each clinic for the administration routes; in each, for the chart-audit
routes, a chart audit that sampled nothing, one that scored the work-list patient's two
visits, and an open records request.

Every identifier of clinic-b carries ``ZZB`` (patients, claims, payer, provider, user), so a
response shown to a clinic-a member can be searched for any of clinic-b's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import insert, select

from ptrcm.domain.access import Role
from ptrcm.domain.chart_audit.criteria import load_criteria
from ptrcm.domain.chart_audit.engine import score_episode
from ptrcm.domain.chart_audit.episodes import episodes_of
from ptrcm.domain.chart_audit.stored import AuditSpec, RecordsRequest
from ptrcm.domain.codes import load_catalog
from ptrcm.services.access.tokens import create_token
from ptrcm.store.repository import Store, UnitOfWork
from ptrcm.store.tables import claims, work_items
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.integration.analytics.clinic import Clinic as Rows
from tests.integration.front.clinic import Clinic as FrontDesk
from tests.integration.front.clinic import visit_record
from tests.web_access import FAST, add_member

DAY = date(2026, 1, 12)
FOREIGN = "ZZB"
OWN, OTHER = "clinic-a", "clinic-b"


@dataclass(frozen=True)
class Clinics:
    app: FastAPI
    url: str
    own_claim: str  # rendered by the therapist's provider
    colleague_claim: str  # rendered by another therapist of clinic-a
    foreign_claim: str
    own_token_id: int
    foreign_token_id: int
    own_item: int = 0  # the open work item on own_claim
    foreign_item: int = 0
    own_audit: int = 0  # a chart audit of clinic-a (no record sampled)
    foreign_audit: int = 0
    own_scored: int = 0  # a chart audit of clinic-a with two records scored
    foreign_scored: int = 0
    own_request: int = 0  # an open records request of clinic-a
    foreign_request: int = 0
    own_event: int = 0  # an open systemic-denial event of clinic-a
    foreign_event: int = 0


def _claims(store: Store, slug: str, prefix: str) -> tuple[str, str]:
    org = store.ensure_organization(slug, slug)
    with store.engine.begin() as conn:
        rows = Rows(conn, org)
        rows.payer(f"{prefix}PAY", "commercial")
        rows.location(f"{prefix}LOC")
        rows.provider(f"{prefix}ANA", "1111111112")
        rows.provider(f"{prefix}BEN", "1245319599")
        for n, doc in ((1, "ANA"), (2, "BEN")):
            pcn, patient = f"{prefix}C{n}", f"P-{prefix}{n}"
            rows.patient(patient)
            rows.visit(f"V-{pcn}", patient, f"{prefix}PAY", "2026-01-05", f"{prefix}LOC",
                       f"{prefix}{doc}")  # fmt: skip
            rows.claim(pcn, patient, f"{prefix}PAY", "2026-01-05", "120.00", "held", "2026-01-06")
            rows.scrub(pcn, 1, "2026-01-06", 1)
        rows.refresh_facts()
        claim_id = conn.execute(
            select(claims.c.id).where(claims.c.org_id == org, claims.c.pcn == f"{prefix}C1")
        ).scalar_one()
        conn.execute(
            insert(work_items),
            {"org_id": org, "claim_id": claim_id, "kind": "exception", "state": "open",
             "reason": "held at scrub", "created_at": datetime.now(UTC)},
        )  # fmt: skip
    desk = FrontDesk(store, slug, slug)
    patient = f"P-{prefix}W"
    desk.patient(patient, "COMMERCIAL")
    desk.visits(
        [visit_record(f"V-{patient}-{d}", patient, "COMMERCIAL", date(2026, 1, d)) for d in (5, 7)]
    )
    desk.book(patient, [DAY])
    return f"{prefix}C1", f"{prefix}C2"


def _event(store: Store, slug: str) -> int:
    """A systemic-denial event: a CO-197 spike at the clinic's Medicare."""
    from datetime import UTC, datetime

    from ptrcm.domain.alerts.detect import Event, EventKind, Severity

    org = store.organization_id(slug)
    assert org is not None
    event = Event(EventKind.REASON_SPIKE, "MEDICARE", date(2026, 1, 9), Severity.HIGH, "197",
                  "CO-197 on 6 of 20 claims against 1 % before", 1e-6, ())  # fmt: skip
    with UnitOfWork(store.engine, org, "test") as uow:
        found = uow.alerts.add(event, "billing lead", datetime(2026, 1, 10, tzinfo=UTC))
        uow.commit()
    assert found is not None
    return found


def _chart_audit(store: Store, slug: str, prefix: str) -> tuple[int, int, int]:
    """An audit of a period without visits (nothing sampled), an audit of the work-list
    patient's two visits (scored by the engine) and an open ADR."""
    org = store.organization_id(slug)
    assert org is not None
    catalog, codes = load_criteria(), load_catalog()
    with UnitOfWork(store.engine, org, "test") as uow:
        audit = uow.chart_audits.create(
            AuditSpec(f"{prefix} audit", "random", 0, date(2025, 1, 1), date(2025, 1, 31), 0,
                      catalog.version)
        )  # fmt: skip
        episodes = episodes_of(uow.chart_audits.visits([f"V-P-{prefix}W-5", f"V-P-{prefix}W-7"]),
                               codes)  # fmt: skip
        scored = uow.chart_audits.create(
            AuditSpec(f"{prefix} scored", "risk", None, date(2026, 1, 1), date(2026, 1, 31),
                      len(episodes), catalog.version)
        )  # fmt: skip
        scores = [s for e in episodes for s in score_episode(e, catalog, codes)]
        assert len(scores) == 2
        uow.chart_audits.add_results(scored, 1, scores, catalog.version)
        request = uow.records_requests.add_request(
            RecordsRequest(0, f"{prefix}PAY", "adr", DAY, date(2026, 2, 11))
        )
        uow.commit()
    return audit, scored, request


def _token(app: FastAPI, org: str) -> int:
    with app.state.gate.unit_of_work() as uow:
        made = create_token(uow.access, org, "to revoke", Role.auditor, 30,
                            datetime.now(UTC), created_by=None, actor="test")  # fmt: skip
        uow.commit()
    return made.record.id


def build(folder: Path) -> Clinics:
    url = f"sqlite:///{folder / 'clinics.db'}"
    store = Store.open(url)
    own, colleague = _claims(store, OWN, "A")
    foreign, _ = _claims(store, OTHER, FOREIGN)
    own_audit, own_scored, own_request = _chart_audit(store, OWN, "A")
    foreign_audit, foreign_scored, foreign_request = _chart_audit(store, OTHER, FOREIGN)
    own_event, foreign_event = _event(store, OWN), _event(store, OTHER)
    store.close()
    app = create_app(WebSettings(url, "Clinics", lambda: DAY, passwords=FAST))
    for role in Role:
        provider = "AANA" if role is Role.therapist else None
        add_member(app, f"{role.value.replace('_', '')}-a", role, OWN, provider=provider)
    add_member(app, "victim-a", Role.biller, OWN)
    add_member(app, f"victim-{FOREIGN.lower()}", Role.biller, OTHER)
    made = Clinics(app, url, own, colleague, foreign, _token(app, OWN), _token(app, OTHER))
    check = Store.open(url)
    with check.engine.connect() as conn:
        items = dict(conn.execute(select(work_items.c.org_id, work_items.c.id)).all())
    own_org, other_org = check.organization_id(OWN), check.organization_id(OTHER)
    check.close()
    return replace(
        made, own_item=items[own_org], foreign_item=items[other_org], own_audit=own_audit,
        foreign_audit=foreign_audit, own_scored=own_scored, foreign_scored=foreign_scored,
        own_request=own_request, foreign_request=foreign_request, own_event=own_event,
        foreign_event=foreign_event,
    )  # fmt: skip
