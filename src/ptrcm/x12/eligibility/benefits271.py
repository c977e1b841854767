"""271 eligibility/benefit response (005010X279A1) reader.

Per subscriber (HL 22) and dependent (HL 23): name, trace, references, dates, AAA
rejections and every EB benefit typed (active/inactive coverage, co-pay, coinsurance,
deductible, out-of-pocket, limitations...) with its service types (EB03 repeats with the
repetition separator), time period (EB06), amount, percent, quantity, network flag and
the DTP/MSG/HSD/REF that follow it. AAA rejections at the source or receiver level are kept
on the transaction. The raw EB elements are kept beside the typed fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ptrcm.domain.money import Money
from ptrcm.x12.common import DatePeriod, PersonName, Reference, get, name_of, period_of
from ptrcm.x12.errors import Finding
from ptrcm.x12.structure import TransactionSpan
from ptrcm.x12.values import ValueCache, parse_quantity

BENEFIT_KINDS = {
    "1": "active coverage",
    "2": "active - full risk capitation",
    "3": "active - services capitated",
    "6": "inactive",
    "7": "inactive - pending eligibility update",
    "8": "inactive - pending investigation",
    "A": "coinsurance",
    "B": "co-payment",
    "C": "deductible",
    "CB": "coverage basis",
    "D": "benefit description",
    "E": "exclusions",
    "F": "limitations",
    "G": "out of pocket (stop loss)",
    "H": "unlimited",
    "I": "non-covered",
    "J": "cost containment",
    "L": "primary care provider",
    "MC": "managed care coordinator",
    "N": "services restricted to following provider",
    "P": "benefit disclaimer",
    "R": "other or additional payer",
    "U": "contact following entity for eligibility or benefit information",
    "V": "cannot process",
    "W": "other source of data",
    "Y": "spend down",
}
TIME_PERIODS = {
    "6": "hour",
    "7": "day",
    "13": "24 hours",
    "21": "years",
    "22": "service year",
    "23": "calendar year",
    "24": "year to date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "28": "outlier",
    "29": "remaining",
    "30": "exceeded",
    "31": "not exceeded",
    "32": "lifetime",
    "33": "lifetime remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}
_MEMBER_LEVELS = {"22": "subscriber", "23": "dependent"}
_LEVEL_NAMES = {"20": "information source", "21": "information receiver", **_MEMBER_LEVELS}


@dataclass(frozen=True, slots=True)
class Rejection:
    """An AAA segment: the request was not valid (AAA01=N) or could not be answered."""

    level: str
    valid: str
    reason: str
    follow_up: str = ""
    segment: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB segment, typed, with what follows it in its 2110 loop."""

    code: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan: str = ""
    time_period: str = ""
    amount: Money | None = None
    percent: Decimal | None = None
    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    authorization_required: str = ""
    in_network: str = ""
    procedure: str = ""
    raw: tuple[str, ...] = ()
    dates: tuple[DatePeriod, ...] = ()
    messages: tuple[str, ...] = ()
    deliveries: tuple[tuple[str, ...], ...] = ()
    references: tuple[Reference, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    related: tuple[PersonName, ...] = ()

    @property
    def kind(self) -> str:
        """What EB01 means: active coverage, co-payment, deductible, limitations..."""
        return BENEFIT_KINDS.get(self.code, self.code)

    @property
    def period(self) -> str:
        """What EB06 means: remaining, calendar year, visit..."""
        return TIME_PERIODS.get(self.time_period, self.time_period)


@dataclass(frozen=True, slots=True)
class Member:
    """A subscriber or dependent and the benefits the payer reported."""

    level: str
    hl_id: str
    name: PersonName | None
    traces: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DatePeriod, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    benefits: tuple[Benefit, ...] = ()


@dataclass(frozen=True, slots=True)
class BenefitsTransaction:
    """One 271 transaction set."""

    source: PersonName | None
    receiver: PersonName | None
    members: tuple[Member, ...]
    rejections: tuple[Rejection, ...] = ()
    control_number: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class BenefitsDocument:
    """A whole 271 file."""

    source: str | None
    transactions: tuple[BenefitsTransaction, ...]
    findings: tuple[Finding, ...] = ()
    kind: str = "271"


class _Box:
    """Mutable collector for one member or one benefit."""

    __slots__ = (
        "dates",
        "deliveries",
        "index",
        "messages",
        "names",
        "refs",
        "rejections",
        "seg",
        "traces",
    )

    def __init__(self, seg: list[str], index: int) -> None:
        self.seg, self.index = seg, index
        self.names: list[PersonName] = []
        self.traces: list[str] = []
        self.refs: list[Reference] = []
        self.dates: list[DatePeriod] = []
        self.rejections: list[Rejection] = []
        self.messages: list[str] = []
        self.deliveries: list[tuple[str, ...]] = []

    def add(self, sid: str, seg: list[str]) -> None:
        if sid == "TRN":
            self.traces.append(get(seg, 2))
        elif sid == "REF":
            self.refs.append(Reference(seg[1], seg[2]))
        elif sid == "DTP":
            self.dates.append(period_of(seg))
        elif sid == "MSG":
            self.messages.append(get(seg, 1))
        elif sid == "HSD":
            self.deliveries.append(tuple(seg[1:]))


class _Reader:
    def __init__(self, delims_repetition: str, findings: list[Finding]) -> None:
        self.repetition = delims_repetition
        self.cache = ValueCache()
        self.level = ""
        self.names: dict[str, PersonName] = {}
        self.top_rejections: list[Rejection] = []
        self.members: list[tuple[_Box, list[_Box]]] = []
        self.benefit: _Box | None = None
        self.in_related = False

    def segment(self, seg: list[str], index: int) -> None:
        sid = seg[0]
        if sid == "HL":
            self.level, self.benefit, self.in_related = get(seg, 3), None, False
            if self.level in _MEMBER_LEVELS:
                self.members.append((_Box(seg, index), []))
            return
        member = self.members[-1] if self.members and self.level in _MEMBER_LEVELS else None
        box = self.benefit or (member[0] if member else None)
        if sid == "AAA":
            where = "benefit" if self.benefit else _LEVEL_NAMES.get(self.level, self.level)
            rej = Rejection(where, get(seg, 1), get(seg, 3), get(seg, 4), index + 1)
            (box.rejections if box else self.top_rejections).append(rej)
        elif sid == "NM1":
            self.nm1(seg, member)
        elif sid in ("LS", "LE"):
            self.in_related = sid == "LS"
        elif sid == "EB" and member is not None:
            self.benefit, self.in_related = _Box(seg, index), False
            member[1].append(self.benefit)
        elif box is not None:
            box.add(sid, seg)

    def nm1(self, seg: list[str], member: tuple[_Box, list[_Box]] | None) -> None:
        name = name_of(seg)
        if self.benefit is not None and self.in_related:
            self.benefit.names.append(name)
        elif member is not None and self.benefit is None:
            member[0].names.append(name)
        elif self.level in ("20", "21"):
            self.names.setdefault(self.level, name)

    def benefit_of(self, box: _Box) -> Benefit:
        s = box.seg
        types = get(s, 3)
        split = (
            types.split(self.repetition) if self.repetition and types else [types] if types else []
        )
        return Benefit(
            get(s, 1),
            get(s, 2),
            tuple(split),
            get(s, 4),
            get(s, 5),
            get(s, 6),
            self.cache.optional_amount(get(s, 7)),
            parse_quantity(get(s, 8)) if get(s, 8) else None,
            get(s, 9),
            parse_quantity(get(s, 10)) if get(s, 10) else None,
            get(s, 11),
            get(s, 12),
            get(s, 13),
            tuple(s[1:]),
            tuple(box.dates),
            tuple(box.messages),
            tuple(box.deliveries),
            tuple(box.refs),
            tuple(box.rejections),
            tuple(box.names),
        )

    def build(self, control: str, findings: list[Finding]) -> BenefitsTransaction:
        members = []
        for box, benefits in self.members:
            typed = []
            for item in benefits:
                try:
                    typed.append(self.benefit_of(item))
                except ValueError as exc:
                    findings.append(
                        Finding(
                            "error", f"malformed EB: {exc}; benefit skipped", item.index + 1, "EB"
                        )
                    )
            members.append(
                Member(
                    _MEMBER_LEVELS[get(box.seg, 3)],
                    get(box.seg, 1),
                    box.names[0] if box.names else None,
                    tuple(box.traces),
                    tuple(box.refs),
                    tuple(box.dates),
                    tuple(box.rejections),
                    tuple(typed),
                )
            )
        return BenefitsTransaction(
            self.names.get("20"),
            self.names.get("21"),
            tuple(members),
            tuple(self.top_rejections),
            control,
        )


def read_271(
    segments: list[list[str]], span: TransactionSpan, findings: list[Finding]
) -> BenefitsTransaction:
    """One 271 transaction set; malformed segments become findings and are skipped."""
    reader = _Reader(span.delimiters.repetition, findings)
    for index in range(span.start + 1, span.end):
        seg = segments[index]
        try:
            reader.segment(seg, index)
        except (ValueError, ArithmeticError, IndexError) as exc:
            findings.append(Finding("error", f"malformed {seg[0]}: {exc}", index + 1, seg[0]))
    return reader.build(span.control, findings)
