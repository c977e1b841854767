"""The claim lifecycle: an explicit state machine with every transition recorded.

States follow a claim from charge building to closure::

    built → scrubbed → ready | held → submitted → accepted | rejected
          → paid | partially_paid | denied → appealed → closed
    plus corrected (superseded by a replacement claim, frequency 7) and voided (8).

Events, not states, are what the outside world reports (a scrub result, a 999, an 835
claim status). ``next_state`` is pure; the store records each ``Transition`` with who,
when and why. An event that makes no sense in a state raises ``InvariantError`` — a bug in
the caller, never a data defect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ptrcm.errors import InvariantError


class ClaimState(StrEnum):
    BUILT = "built"
    SCRUBBED = "scrubbed"
    READY = "ready"
    HELD = "held"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    APPEALED = "appealed"
    CLOSED = "closed"
    CORRECTED = "corrected"
    VOIDED = "voided"


class ClaimEvent(StrEnum):
    SCRUB = "scrub"  # the scrubber ran
    CLEAN = "clean"  # no error-severity finding
    ERRORS = "errors"  # at least one error-severity finding
    RELEASE = "release"  # a biller releases a held claim with a reason
    SUBMIT = "submit"  # written into an 837 batch
    ACK_ACCEPTED = "ack_accepted"  # 999 / 277CA accepted
    ACK_REJECTED = "ack_rejected"  # 999 / 277CA rejected
    PAID_IN_FULL = "paid_in_full"  # 835: paid as expected (patient share aside)
    PAID_PARTLY = "paid_partly"  # 835: some lines or amounts denied
    DENIED = "denied"  # 835: nothing paid
    REVERSED = "reversed"  # 835 CLP02 = 22: the payer took back an earlier decision
    APPEAL = "appeal"  # an appeal was sent
    CORRECT = "correct"  # replaced by a corrected claim (frequency 7)
    VOID = "void"  # voided (frequency 8)
    CLOSE = "close"  # nothing more to collect from this payer


S, E = ClaimState, ClaimEvent
_ADJUDICATED = {E.PAID_IN_FULL: S.PAID, E.PAID_PARTLY: S.PARTIALLY_PAID, E.DENIED: S.DENIED}

TRANSITIONS: dict[ClaimState, dict[ClaimEvent, ClaimState]] = {
    S.BUILT: {E.SCRUB: S.SCRUBBED, E.VOID: S.VOIDED},
    S.SCRUBBED: {E.CLEAN: S.READY, E.ERRORS: S.HELD},
    S.HELD: {E.SCRUB: S.SCRUBBED, E.RELEASE: S.READY, E.VOID: S.VOIDED},
    S.READY: {E.SUBMIT: S.SUBMITTED, E.SCRUB: S.SCRUBBED, E.VOID: S.VOIDED},
    S.SUBMITTED: {E.ACK_ACCEPTED: S.ACCEPTED, E.ACK_REJECTED: S.REJECTED, **_ADJUDICATED},
    S.ACCEPTED: {E.ACK_ACCEPTED: S.ACCEPTED, E.ACK_REJECTED: S.REJECTED, **_ADJUDICATED},
    S.REJECTED: {E.SCRUB: S.SCRUBBED, E.VOID: S.VOIDED, E.CLOSE: S.CLOSED},
    # A paid claim is not paid again: a second ``paid_in_full`` is refused (the posting
    # flags it); a later partial payment or denial is the payer changing its decision.
    S.PAID: {E.PAID_PARTLY: S.PARTIALLY_PAID, E.DENIED: S.DENIED, E.REVERSED: S.ACCEPTED,
             E.CORRECT: S.CORRECTED, E.VOID: S.VOIDED, E.CLOSE: S.CLOSED},
    S.PARTIALLY_PAID: {**_ADJUDICATED, E.REVERSED: S.ACCEPTED, E.APPEAL: S.APPEALED,
                       E.CORRECT: S.CORRECTED, E.VOID: S.VOIDED, E.CLOSE: S.CLOSED},
    S.DENIED: {**_ADJUDICATED, E.REVERSED: S.ACCEPTED, E.APPEAL: S.APPEALED,
               E.CORRECT: S.CORRECTED, E.VOID: S.VOIDED, E.CLOSE: S.CLOSED},
    S.APPEALED: {**_ADJUDICATED, E.REVERSED: S.ACCEPTED, E.CLOSE: S.CLOSED},
    S.CLOSED: {**_ADJUDICATED, E.REVERSED: S.ACCEPTED},
    S.CORRECTED: {},
    S.VOIDED: {},
}  # fmt: skip

TERMINAL = frozenset(s for s, moves in TRANSITIONS.items() if not moves)
OPEN_AR = frozenset({S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_PAID, S.DENIED, S.APPEALED})


def next_state(state: ClaimState, event: ClaimEvent) -> ClaimState:
    """The state after ``event``; raises InvariantError when the event is not allowed."""
    try:
        return TRANSITIONS[state][event]
    except KeyError:
        raise InvariantError(
            f"claim event {event.value!r} is not allowed in state {state.value!r}"
        ) from None


@dataclass(frozen=True, slots=True)
class Transition:
    """One recorded step of a claim's life: who moved it, when, and why."""

    claim_id: str
    from_state: ClaimState
    to_state: ClaimState
    event: ClaimEvent
    actor: str
    at: datetime
    reason: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InvariantError("transition timestamps must be timezone-aware UTC")


def apply_event(
    claim_id: str, state: ClaimState, event: ClaimEvent, actor: str, at: datetime, reason: str = ""
) -> Transition:
    """The transition record for ``event`` (validated by ``next_state``)."""
    return Transition(claim_id, state, next_state(state, event), event, actor, at, reason)
