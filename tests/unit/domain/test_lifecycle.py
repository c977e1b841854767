from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ptrcm.domain.lifecycle import (
    OPEN_AR,
    TERMINAL,
    TRANSITIONS,
    ClaimEvent,
    ClaimState,
    apply_event,
    next_state,
)
from ptrcm.errors import InvariantError

S, E = ClaimState, ClaimEvent
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def walk(*events: ClaimEvent, start: ClaimState = S.BUILT) -> ClaimState:
    state = start
    for event in events:
        state = next_state(state, event)
    return state


def test_a_clean_claim_goes_from_built_to_paid_and_closed() -> None:
    assert walk(E.SCRUB, E.CLEAN, E.SUBMIT, E.ACK_ACCEPTED, E.PAID_IN_FULL, E.CLOSE) is S.CLOSED


def test_a_claim_with_errors_is_held_until_rescrubbed_clean() -> None:
    assert walk(E.SCRUB, E.ERRORS) is S.HELD
    assert walk(E.SCRUB, E.ERRORS, E.SCRUB, E.CLEAN) is S.READY


def test_a_denial_can_be_appealed_and_then_paid() -> None:
    assert walk(E.SCRUB, E.CLEAN, E.SUBMIT, E.DENIED, E.APPEAL, E.PAID_IN_FULL) is S.PAID


def test_a_reversal_returns_a_paid_claim_to_accepted_for_repayment() -> None:
    state = walk(E.SCRUB, E.CLEAN, E.SUBMIT, E.PAID_IN_FULL, E.REVERSED)
    assert state is S.ACCEPTED
    assert next_state(state, E.PAID_PARTLY) is S.PARTIALLY_PAID


def test_a_rejected_claim_is_fixed_and_scrubbed_again() -> None:
    assert walk(E.SCRUB, E.CLEAN, E.SUBMIT, E.ACK_REJECTED, E.SCRUB) is S.SCRUBBED


def test_a_corrected_or_voided_claim_accepts_no_further_event() -> None:
    assert {S.CORRECTED, S.VOIDED} == TERMINAL
    for event in ClaimEvent:
        with pytest.raises(InvariantError):
            next_state(S.CORRECTED, event)


def test_a_claim_cannot_be_submitted_before_it_is_scrubbed() -> None:
    with pytest.raises(InvariantError, match="'submit' is not allowed in state 'built'"):
        next_state(S.BUILT, E.SUBMIT)


def test_every_state_is_reachable_from_built() -> None:
    seen = {S.BUILT}
    frontier = [S.BUILT]
    while frontier:
        state = frontier.pop()
        for target in TRANSITIONS[state].values():
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(ClaimState)
    assert seen >= OPEN_AR


def test_a_transition_records_who_when_and_why_and_needs_utc() -> None:
    t = apply_event("C-1", S.HELD, E.RELEASE, "biller:ana", NOW, "payer waives GP on this code")
    assert (t.from_state, t.to_state, t.actor) == (S.HELD, S.READY, "biller:ana")
    with pytest.raises(InvariantError):
        apply_event("C-1", S.HELD, E.RELEASE, "x", datetime(2026, 3, 2), "naive")


def test_a_paid_claim_refuses_to_be_paid_in_full_again() -> None:
    paid = walk(E.SCRUB, E.CLEAN, E.SUBMIT, E.PAID_IN_FULL)
    with pytest.raises(InvariantError, match="'paid_in_full' is not allowed in state 'paid'"):
        next_state(paid, E.PAID_IN_FULL)
    assert next_state(paid, E.PAID_PARTLY) is S.PARTIALLY_PAID
