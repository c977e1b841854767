"""277CA claim acknowledgment (005010X214) and 277 claim status (005010X212) reader.

The hierarchy (HL) is kept as levels: 20 information source, 21 information receiver,
19 billing/service provider, 22 subscriber, 23 dependent, PT patient (277CA). Each TRN*2
at a patient level starts a claim, identified by the patient control number it carries;
STC segments (every composite: category:status:entity), REF (1K payer claim number, EJ
patient account, D9 clearinghouse trace, BLT bill type), DTP and SVC lines follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ptrcm.domain.money import Money
from ptrcm.x12.common import DatePeriod, PersonName, Reference, get, name_of, period_of
from ptrcm.x12.errors import Finding
from ptrcm.x12.structure import TransactionSpan
from ptrcm.x12.values import ValueCache

LEVELS = {
    "20": "information source",
    "21": "information receiver",
    "19": "provider",
    "22": "subscriber",
    "23": "dependent",
    "PT": "patient",
}
PATIENT_LEVELS = frozenset({"22", "23", "PT"})


@dataclass(frozen=True, slots=True)
class StatusCode:
    """One STC composite: category (A1, A7, F2, P3...), status (CSC), entity, code list."""

    category: str
    status: str
    entity: str = ""
    code_list: str = ""


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """An STC segment: its status composites, effective date, action, amounts, message."""

    codes: tuple[StatusCode, ...]
    effective: DatePeriod | None = None
    action: str = ""
    charge: Money | None = None
    paid: Money | None = None
    message: str = ""
    raw: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """A 2220 service line: the procedure composite as sent, amounts and its STCs."""

    procedure: str
    charge: Money | None
    paid: Money | None
    statuses: tuple[StatusInfo, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DatePeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One claim (TRN*2 at a patient level) and everything the payer said about it."""

    patient_control_number: str
    level: str
    statuses: tuple[StatusInfo, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DatePeriod, ...] = ()
    lines: tuple[ServiceStatus, ...] = ()
    patient: PersonName | None = None
    segment: int = field(default=0, compare=False)

    @property
    def payer_claim_number(self) -> str | None:
        """REF*1K: the payer's claim control number."""
        return next((r.value for r in self.references if r.qualifier == "1K"), None)


@dataclass(frozen=True, slots=True)
class Level:
    """One HL level with its names, level-wide traces and statuses (2200A..C)."""

    id: str
    parent: str
    code: str
    names: tuple[PersonName, ...] = ()
    traces: tuple[str, ...] = ()
    statuses: tuple[StatusInfo, ...] = ()

    @property
    def label(self) -> str:
        """information source, information receiver, provider, subscriber, dependent, patient."""
        return LEVELS.get(self.code, self.code)


@dataclass(frozen=True, slots=True)
class StatusTransaction:
    """One 277 transaction set."""

    kind: str
    levels: tuple[Level, ...]
    claims: tuple[ClaimStatus, ...]
    control_number: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class StatusDocument:
    """A whole 277 or 277CA file."""

    source: str | None
    transactions: tuple[StatusTransaction, ...]
    findings: tuple[Finding, ...] = ()
    kind: str = "277"


class _Target:
    __slots__ = ("dates", "refs", "statuses")

    def __init__(self) -> None:
        self.statuses: list[StatusInfo] = []
        self.refs: list[Reference] = []
        self.dates: list[DatePeriod] = []


def status_of(seg: list[str], component: str, cache: ValueCache) -> StatusInfo:
    """An STC segment: composites STC01, STC10, STC11 plus date, action and amounts."""
    codes = []
    for pos in (1, 10, 11):
        text = get(seg, pos)
        if text:
            parts = [*text.split(component), "", "", ""]
            codes.append(StatusCode(parts[0], parts[1], parts[2], parts[3]))
    if not codes:
        raise ValueError("STC01 (status composite) is missing")
    when = get(seg, 2)
    effective = None
    if when:
        start = cache.date(when)
        effective = DatePeriod("STC02", start, start)
    return StatusInfo(
        tuple(codes),
        effective,
        get(seg, 3),
        cache.optional_amount(get(seg, 4)),
        cache.optional_amount(get(seg, 5)),
        get(seg, 12),
        tuple(seg[1:]),
    )


class _Claim:
    __slots__ = ("index", "level", "lines", "patient", "seg", "target")

    def __init__(
        self, seg: list[str], index: int, target: _Target, patient: PersonName | None, level: str
    ) -> None:
        self.seg, self.index, self.target, self.patient, self.level = (
            seg,
            index,
            target,
            patient,
            level,
        )
        self.lines: list[tuple[list[str], _Target]] = []


class _Reader:
    def __init__(self, component: str, findings: list[Finding]) -> None:
        self.component = component
        self.findings = findings
        self.cache = ValueCache()
        self.levels: list[tuple[list[str], list[PersonName], list[str], list[StatusInfo]]] = []
        self.claims: list[_Claim] = []
        self.target: _Target | None = None

    def segment(self, seg: list[str], index: int) -> None:
        sid = seg[0]
        if sid == "HL":
            self.levels.append((seg, [], [], []))
            self.target = None
        elif not self.levels:
            return
        elif sid == "NM1":
            self.levels[-1][1].append(name_of(seg))
        elif sid == "TRN":
            self.trn(seg, index)
        elif sid == "STC":
            info = status_of(seg, self.component, self.cache)
            (self.target.statuses if self.target else self.levels[-1][3]).append(info)
        elif sid == "SVC" and self.claims:
            self.target = _Target()
            self.claims[-1].lines.append((seg, self.target))
        elif sid == "REF" and self.target:
            self.target.refs.append(Reference(seg[1], seg[2]))
        elif sid == "DTP" and self.target:
            self.target.dates.append(period_of(seg))

    def trn(self, seg: list[str], index: int) -> None:
        hl = self.levels[-1][0]
        if get(seg, 1) == "2" and get(hl, 3) in PATIENT_LEVELS:
            self.target = _Target()
            names = self.levels[-1][1]
            self.claims.append(
                _Claim(seg, index, self.target, names[-1] if names else None, get(hl, 1))
            )
        else:
            self.levels[-1][2].append(get(seg, 2))

    def build(self, kind: str, control: str) -> StatusTransaction:
        levels = tuple(
            Level(get(h, 1), get(h, 2), get(h, 3), tuple(n), tuple(t), tuple(s))
            for h, n, t, s in self.levels
        )
        claims = []
        for claim in self.claims:
            lines = tuple(
                ServiceStatus(
                    get(s, 1),
                    self.cache.optional_amount(get(s, 2)),
                    self.cache.optional_amount(get(s, 3)),
                    tuple(t.statuses),
                    tuple(t.refs),
                    tuple(t.dates),
                )
                for s, t in claim.lines
            )
            t = claim.target
            claims.append(
                ClaimStatus(
                    get(claim.seg, 2),
                    claim.level,
                    tuple(t.statuses),
                    tuple(t.refs),
                    tuple(t.dates),
                    lines,
                    claim.patient,
                    claim.index + 1,
                )
            )
        return StatusTransaction(kind, levels, tuple(claims), control)


def read_277(
    segments: list[list[str]], span: TransactionSpan, findings: list[Finding]
) -> StatusTransaction:
    """One 277/277CA transaction set; a malformed segment is a finding and is skipped."""
    reader = _Reader(span.delimiters.component, findings)
    for index in range(span.start + 1, span.end):
        seg = segments[index]
        try:
            reader.segment(seg, index)
        except (ValueError, ArithmeticError, IndexError) as exc:
            findings.append(Finding("error", f"malformed {seg[0]}: {exc}", index + 1, seg[0]))
    kind = "277CA" if "X214" in span.version else "277"
    return reader.build(kind, span.control)
