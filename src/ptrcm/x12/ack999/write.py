"""999 005010X231A1 writer: the implementation acknowledgment of one received group.

Each acknowledged transaction set gets an AK2 and an IK5 (A accepted, R rejected, with
IK5 syntax codes); AK9 counts the sets included, received and accepted. Segment-level
errors (IK3/IK4) are not produced: a simulator that accepts or rejects whole sets needs
none, and pyx12 validates the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ptrcm.x12.envelope import ControlNumbers, EnvelopeSettings, Transaction, interchange, segment

VERSION = "005010X231A1"
FUNCTIONAL_ID = "FA"


@dataclass(frozen=True, slots=True)
class SetResult:
    """One received transaction set: its ST01/ST02/ST03 and whether it was accepted."""

    set_id: str
    control: str
    version: str
    accepted: bool = True
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupResult:
    """One received functional group (GS01/GS06/GS08) and its sets."""

    functional_id: str
    group_control: str
    version: str
    sets: tuple[SetResult, ...]


def ack_body(group: GroupResult) -> list[str]:
    """The segments of one 999 transaction set between ST and SE."""
    body = [segment("AK1", group.functional_id, group.group_control, group.version)]
    for item in group.sets:
        body.append(segment("AK2", item.set_id, item.control, item.version))
        body.append(segment("IK5", "A" if item.accepted else "R", *item.codes[:5]))
    accepted = sum(1 for s in group.sets if s.accepted)
    status = "A" if accepted == len(group.sets) else "P" if accepted else "R"
    n = str(len(group.sets))
    body.append(segment("AK9", status, n, n, str(accepted)))
    return body


def write_999(
    groups: Sequence[GroupResult], settings: EnvelopeSettings, controls: ControlNumbers,
    now: datetime,
) -> str:  # fmt: skip
    """One interchange with one 999 transaction set per acknowledged group."""
    transactions = [Transaction("999", VERSION, ack_body(g)) for g in groups]
    return interchange(transactions, FUNCTIONAL_ID, VERSION, settings, controls, now)
