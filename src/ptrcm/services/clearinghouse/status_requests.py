"""276 claim-status requests for the claims a connector carries (its pilot scope).

Claims submitted or accepted with a first date of service up to ``through`` are asked
about, one 276 per payer, written into the connector's outbox (``send`` uploads it). Each
claim carries the payer's claim number when a 277CA gave one. The file is renamed into
place only after the control numbers are committed, like the 837 batches.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Protocol

from ptrcm.config import Config
from ptrcm.domain.claims import Claim
from ptrcm.domain.clearinghouse import Connector
from ptrcm.domain.lifecycle import ClaimState
from ptrcm.services.claims.building import as_sent, stored_claim
from ptrcm.services.claims.output import RecordedControlNumbers, envelope_settings
from ptrcm.services.claims.ports import ClaimsUnitOfWork
from ptrcm.services.money_in_ports import Acknowledgments
from ptrcm.x12.eligibility.write270 import write_276

ASKED = (ClaimState.SUBMITTED.value, ClaimState.ACCEPTED.value)


class StatusRequestUnitOfWork(ClaimsUnitOfWork, Protocol):
    @property
    def acks(self) -> Acknowledgments: ...


def _payer_numbers(uow: StatusRequestUnitOfWork) -> dict[int, str]:
    """The payer's claim number of each claim, from the latest 277CA that gave one."""
    out: dict[int, str] = {}
    for row in uow.acks.items():
        detail = row.get("detail") or {}
        number = detail.get("payer_claim_number") if isinstance(detail, dict) else None
        if row.get("claim_id") is not None and number:
            out[int(row["claim_id"])] = str(number)
    return out


def request_claim_status(
    unit_of_work: Callable[[], StatusRequestUnitOfWork],
    config: Config,
    connector: Connector,
    outbox: Path,
    through: date,
) -> list[Path]:
    """Write the 276 files (one per payer) into ``outbox``; their paths."""
    outbox.mkdir(parents=True, exist_ok=True)
    pending: list[Path] = []
    try:
        with unit_of_work() as uow:
            heads = [h for h in uow.lifecycle.claims_in(list(ASKED))
                     if h.first_date_of_service <= through]  # fmt: skip
            visits = uow.lifecycle.visits_by_id(h.visit_ids[0] for h in heads)
            by_payer: dict[str, list[Claim]] = {}
            records = uow.claims.by_ids(h.id for h in heads)
            numbers = _payer_numbers(uow)
            for h in heads:
                visit, record = visits.get(h.visit_ids[0]), records.get(h.pcn)
                payer = config.payer(h.payer)
                if visit is None or record is None or payer is None:
                    continue
                if not connector.covers(h.payer, visit.location_id):
                    continue
                claim = as_sent(stored_claim(visit, h.pcn, record.lines), record)
                if h.id in numbers and not claim.payer_claim_number:
                    claim = _with_number(claim, numbers[h.id])
                by_payer.setdefault(h.payer, []).append(claim)
            for payer_id, claims in sorted(by_payer.items()):
                controls = RecordedControlNumbers(uow.control_numbers)
                settings = envelope_settings(config, claims)
                payer = config.payers[payer_id]
                text = write_276(claims, payer, config.clinic, settings, controls, uow.clock())
                tmp = outbox / f"{payer_id}-{controls.isa:09d}.276.tmp"
                tmp.write_text(text, encoding="ascii", newline="")
                pending.append(tmp)
            uow.commit()
    except BaseException:
        for tmp in pending:
            tmp.unlink(missing_ok=True)
        raise
    done = []
    for tmp in pending:
        final = tmp.with_name(tmp.name.removesuffix(".tmp"))
        os.replace(tmp, final)
        done.append(final)
    return done


def _with_number(claim: Claim, number: str) -> Claim:
    return replace(claim, payer_claim_number=number)
