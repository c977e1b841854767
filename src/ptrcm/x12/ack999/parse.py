"""999 implementation acknowledgment (005010X231A1) reader.

Per acknowledged transaction set (AK2 loop): the IK5 status (A accepted, E accepted with
errors, R rejected, M/W/X rejected for message authentication, assurance or content
failures) with every IK3 segment error and its IK4 element errors and CTX contexts; per
group: the AK9 result (A, E, P partially accepted, R, ...) and its counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ptrcm.x12.common import get
from ptrcm.x12.errors import Finding
from ptrcm.x12.structure import TransactionSpan

ACCEPTED = frozenset({"A", "E"})


@dataclass(frozen=True, slots=True)
class ElementError:
    """IK4: element position (IK401, may be position:component:repeat), reference, code, value."""

    position: str
    reference: str
    code: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3: segment id, position in the set, loop id, syntax error code, element errors."""

    segment_id: str
    position: int | None
    loop: str
    code: str
    elements: tuple[ElementError, ...] = ()
    contexts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SetAcknowledgment:
    """One AK2 loop: the acknowledged set and its IK5 status and errors."""

    set_id: str
    control: str
    version: str
    status: str
    codes: tuple[str, ...] = ()
    errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        """IK501 A or E: the set was accepted (E: with errors noted)."""
        return self.status in ACCEPTED


@dataclass(frozen=True, slots=True)
class FunctionalAcknowledgment:
    """One 999 transaction set: which group it answers (AK1) and the AK9 result."""

    functional_id: str
    group_control: str
    version: str
    sets: tuple[SetAcknowledgment, ...]
    group_status: str
    included: int | None
    received: int | None
    accepted: int | None
    group_codes: tuple[str, ...] = ()
    control_number: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class AckDocument:
    """A whole 999 file."""

    source: str | None
    transactions: tuple[FunctionalAcknowledgment, ...]
    findings: tuple[Finding, ...] = ()
    kind: str = "999"


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


class _Set:
    __slots__ = ("codes", "errors", "head", "status")

    def __init__(self, head: list[str]) -> None:
        self.head = head
        self.status = ""
        self.codes: tuple[str, ...] = ()
        self.errors: list[tuple[list[str], list[ElementError], list[str]]] = []

    def add(self, sid: str, seg: list[str]) -> None:
        if sid == "IK3":
            self.errors.append((seg, [], []))
        elif sid == "IK4" and self.errors:
            self.errors[-1][1].append(
                ElementError(get(seg, 1), get(seg, 2), get(seg, 3), get(seg, 4))
            )
        elif sid == "CTX" and self.errors:
            self.errors[-1][2].append("*".join(seg[1:]))
        elif sid == "IK5":
            self.status, self.codes = get(seg, 1), tuple(x for x in seg[2:] if x)

    def build(self) -> SetAcknowledgment:
        errors = tuple(
            SegmentError(get(s, 1), _int(get(s, 2)), get(s, 3), get(s, 4), tuple(e), tuple(c))
            for s, e, c in self.errors
        )
        h = self.head
        return SetAcknowledgment(get(h, 1), get(h, 2), get(h, 3), self.status, self.codes, errors)


def read_999(
    segments: list[list[str]], span: TransactionSpan, findings: list[Finding]
) -> FunctionalAcknowledgment:
    """The acknowledgment in one 999 transaction set; defects are appended to ``findings``."""
    ak1: list[str] = []
    ak9: list[str] = []
    sets: list[_Set] = []
    current: _Set | None = None
    for index in range(span.start + 1, span.end):
        seg = segments[index]
        sid = seg[0]
        if sid == "AK1":
            ak1 = seg
        elif sid == "AK2":
            current = _Set(seg)
            sets.append(current)
        elif sid == "AK9":
            ak9 = seg
        elif current is None:
            if sid in ("IK3", "IK4", "IK5", "CTX"):
                findings.append(Finding("error", f"{sid} before any AK2", index + 1, sid))
        else:
            current.add(sid, seg)
    if not ak1:
        findings.append(Finding("error", "999 has no AK1", span.start + 1, "ST"))
    if not ak9:
        findings.append(Finding("error", "999 has no AK9", span.end + 1, "SE"))
    for item in sets:
        if not item.status:
            findings.append(
                Finding("error", f"AK2 {get(item.head, 2)!r} has no IK5", span.start + 1, "ST")
            )
    return FunctionalAcknowledgment(
        get(ak1, 1),
        get(ak1, 2),
        get(ak1, 3),
        tuple(s.build() for s in sets),
        get(ak9, 1),
        _int(get(ak9, 2)),
        _int(get(ak9, 3)),
        _int(get(ak9, 4)),
        tuple(x for x in ak9[5:] if x),
        span.control,
    )
