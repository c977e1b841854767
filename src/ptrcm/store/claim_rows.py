"""Rows written for new claims: the first history row (no previous state) and the
document a claim version keeps (visit ids, member id; a replacement's frequency, the payer's
claim number and what it replaces)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert

from ptrcm.domain.claims import Claim
from ptrcm.store.scoped import OrgScoped
from ptrcm.store.statistics import keep_statistics
from ptrcm.store.tables import claim_transitions


def version_document(claim: Claim, note: Mapping[str, Any] | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"visit_ids": list(claim.visit_ids), "member_id": claim.member_id}
    if claim.frequency != "1":
        doc["frequency"] = claim.frequency
        doc["payer_claim_number"] = claim.payer_claim_number
    return {**doc, **(note or {})}


def append_created(repo: OrgScoped, claim_ids: Mapping[str, int], state: str, reason: str) -> None:
    """The first history row of new claims: no previous state (``reason`` may name
    ``{pcn}``)."""
    now = repo.clock()
    rows = [
        repo.new_row(
            claim_id=cid,
            claim_version_id=None,
            membership_id=None,
            actor=repo.actor,
            from_state=None,
            to_state=state,
            reason=reason.format(pcn=pcn),
            occurred_at=now,
        )
        for pcn, cid in claim_ids.items()
    ]
    if rows:
        repo.conn.execute(insert(claim_transitions), rows)
        keep_statistics(repo.conn, (claim_transitions,))  # the facts refresh reads it by claim
        repo.touch_claims(claim_ids.values())
