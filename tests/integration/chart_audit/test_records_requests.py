"""Records requests and recoupments on SQLite and PostgreSQL: logged, linked to an audit,
closed with an outcome, summed in the KPIs, refused for an unknown payer or claim, and
invisible to another organization."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

from ptrcm.errors import InputError
from ptrcm.services.chart_audit.audits import start_audit
from ptrcm.services.chart_audit.requests import (
    close_request,
    log_recoupment,
    log_request,
    request_kpis,
)
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.repository import Store
from tests.builders.episodes import episode_records


def _clinic(store: Store, tmp_path: Path, slug: str) -> int:
    org = store.create_organization(slug)
    path = tmp_path / f"{slug}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in episode_records(12)), encoding="utf-8")
    import_visits(partial(store.unit_of_work, org, "test"), path, as_of=date(2026, 4, 1))  # type: ignore[arg-type]
    return org


def test_requests_and_recoupments_are_logged_closed_and_counted(
    store: Store, tmp_path: Path
) -> None:
    org = _clinic(store, tmp_path, "clinic-a")
    other = _clinic(store, tmp_path, "clinic-b")
    with store.unit_of_work(org, "biller") as uow:
        audit = start_audit(uow, start=date(2026, 3, 1), end=date(2026, 3, 31))
        first = log_request(uow, payer="MEDICARE", kind="adr", requested_on=date(2026, 4, 2),
                            due_on=date(2026, 5, 17), audit=audit.audit_id,
                            reference="ADR-1")  # fmt: skip
        log_request(uow, payer="MEDICARE", kind="audit", requested_on=date(2026, 5, 3),
                    due_on=date(2026, 5, 20))  # fmt: skip
        close_request(uow, first, status="closed", outcome="partial", on=date(2026, 5, 10))
        log_recoupment(uow, payer="MEDICARE", amount=Decimal("212.40"), on=date(2026, 6, 1),
                       request=first)  # fmt: skip
        k = request_kpis(uow, date(2026, 6, 1))
        rows = uow.records_requests.requests()
    assert k.requests_by_payer_month == {("MEDICARE", "2026-04"): 1, ("MEDICARE", "2026-05"): 1}
    assert (k.open_requests, k.overdue_requests) == (1, 1)
    assert (k.recoupments, k.recouped) == (1, Decimal("212.40"))
    assert rows[0].outcome == "partial" and rows[0].chart_audit_id == audit.audit_id
    with store.unit_of_work(other, "biller") as uow:
        assert uow.records_requests.requests() == []
        assert uow.records_requests.recoupments() == []
        with pytest.raises(InputError):
            close_request(uow, first, status="closed", outcome="upheld", on=date(2026, 6, 2))
        with pytest.raises(InputError, match="no records request"):
            log_recoupment(uow, payer="MEDICARE", amount=Decimal("5.00"), on=date(2026, 6, 2),
                           request=first)  # fmt: skip


def test_an_unknown_payer_or_claim_and_bad_values_are_refused(store: Store, tmp_path: Path) -> None:
    org = _clinic(store, tmp_path, "clinic-a")
    with store.unit_of_work(org, "biller") as uow:
        day = date(2026, 4, 1)
        with pytest.raises(InputError, match="no payer"):
            log_request(uow, payer="NOPE", kind="adr", requested_on=day, due_on=day)
        with pytest.raises(InputError, match="no claim"):
            log_request(uow, payer="MEDICARE", kind="adr", requested_on=day, due_on=day,
                        claim="C-404")  # fmt: skip
        with pytest.raises(InputError, match="kind"):
            log_request(uow, payer="MEDICARE", kind="letter", requested_on=day, due_on=day)
        with pytest.raises(InputError, match="amount"):
            log_recoupment(uow, payer="MEDICARE", amount=Decimal("0.00"), on=day)
        with pytest.raises(InputError, match="no records request 404"):
            log_recoupment(uow, payer="MEDICARE", amount=Decimal("1.00"), on=day, request=404)
        assert uow.records_requests.requests() == []
