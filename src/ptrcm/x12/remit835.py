"""835 005010X221A1 reader: a tokenized transaction set into a ``Remittance``.

One pass over the segments with a dict from segment id to handler. REF/DTM/AMT/QTY/CAS go
to whatever loop is open (header, payer/payee, claim, service line): the handlers append
to "current target" lists that CLP, SVC and N1 re-point, so no per-segment branching on
the loop is needed. A malformed CLP, SVC, CAS (or any other segment) becomes a finding
naming its segment number; a bad CLP or SVC drops that claim or line and the rest of the
file is read. Balancing is checked afterwards (``ptrcm.x12.balance835``).
"""

from __future__ import annotations

from collections.abc import Callable

from ptrcm.x12.balance835 import balance_findings
from ptrcm.x12.common import PersonName, Reference, name_of
from ptrcm.x12.errors import Finding
from ptrcm.x12.remit_model import (
    Adjustment,
    AmountEntry,
    ClaimPayment,
    DateEntry,
    Party,
    Payment,
    Procedure,
    ProviderAdjustment,
    ProviderAdjustmentItem,
    QuantityEntry,
    Remark,
    Remittance,
    ServicePayment,
    Trace,
)
from ptrcm.x12.remit_parts import adjustments_of, procedure_of
from ptrcm.x12.structure import TransactionSpan
from ptrcm.x12.values import ValueCache, parse_quantity

Segment = list[str]


def _get(seg: Segment, index: int) -> str:
    return seg[index] if index < len(seg) else ""


def _trimmed(items: list[str]) -> tuple[str, ...]:
    end = len(items)
    while end and not items[end - 1]:
        end -= 1
    return tuple(items[:end])


class _Line:
    __slots__ = (
        "adjustments",
        "amounts",
        "dates",
        "index",
        "quantities",
        "references",
        "remarks",
        "seg",
    )

    def __init__(self, seg: Segment, index: int) -> None:
        self.seg, self.index = seg, index
        self.dates: list[DateEntry] = []
        self.adjustments: list[Adjustment] = []
        self.references: list[Reference] = []
        self.amounts: list[AmountEntry] = []
        self.quantities: list[QuantityEntry] = []
        self.remarks: list[Remark] = []


class _Claim(_Line):
    __slots__ = ("inpatient", "lines", "names", "outpatient")

    def __init__(self, seg: Segment, index: int) -> None:
        super().__init__(seg, index)
        self.names: list[PersonName] = []
        self.inpatient: tuple[str, ...] = ()
        self.outpatient: tuple[str, ...] = ()
        self.lines: list[ServicePayment] = []


class _Party:
    __slots__ = ("address", "contacts", "place", "references", "seg")

    def __init__(self, seg: Segment) -> None:
        self.seg = seg
        self.address: tuple[str, ...] = ()
        self.place: tuple[str, str, str] = ("", "", "")
        self.references: list[Reference] = []
        self.contacts: list[tuple[str, ...]] = []

    def build(self) -> Party:
        s = self.seg
        return Party(
            s[1],
            _get(s, 2),
            _get(s, 3),
            _get(s, 4),
            self.address,
            *self.place,
            references=tuple(self.references),
            contacts=tuple(self.contacts),
        )


class RemittanceReader:
    """Reads one 835 transaction set; ``findings`` collects every defect found."""

    def __init__(self, cache: ValueCache | None = None) -> None:
        self.cache = cache or ValueCache()
        self.findings: list[Finding] = []
        self._procedures: dict[str, Procedure] = {}

    def read(self, segments: list[Segment], span: TransactionSpan) -> Remittance:
        """The remittance in ``segments[span.start : span.end + 1]``."""
        self.component = span.delimiters.component
        self.payment: Payment | None = None
        self.trace: Trace | None = None
        self.parties: dict[str, _Party] = {}
        self.party: _Party | None = None
        self.claims: list[ClaimPayment] = []
        self.plb: list[ProviderAdjustment] = []
        self.claim: _Claim | None = None
        self.line: _Line | None = None
        self.header_refs: list[Reference] = []
        self.header_dates: list[DateEntry] = []
        self._point(self.header_refs, self.header_dates, [], [], [])
        handlers = self._handlers()
        for index in range(span.start + 1, span.end):
            seg = segments[index]
            handler = handlers.get(seg[0])
            if handler is None:
                continue
            try:
                handler(seg, index)
            except (ValueError, ArithmeticError, IndexError) as exc:
                self._malformed(seg, index, str(exc))
        self._close_claim()
        remit = self._build(span)
        self.findings.extend(balance_findings(remit))
        return remit

    def _handlers(self) -> dict[str, Callable[[Segment, int], None]]:
        return {
            "CAS": self._cas,
            "DTM": self._dtm,
            "REF": self._ref,
            "SVC": self._svc,
            "CLP": self._clp,
            "NM1": self._nm1,
            "AMT": self._amt,
            "LQ": self._lq,
            "QTY": self._qty,
            "MIA": self._mia,
            "MOA": self._moa,
            "LX": self._lx,
            "PLB": self._plb,
            "BPR": self._bpr,
            "TRN": self._trn,
            "N1": self._n1,
            "N3": self._n3,
            "N4": self._n4,
            "PER": self._per,
        }

    def _point(
        self,
        refs: list[Reference],
        dates: list[DateEntry],
        amounts: list[AmountEntry],
        quantities: list[QuantityEntry],
        adjustments: list[Adjustment],
    ) -> None:
        self.refs, self.dates, self.amounts = refs, dates, amounts
        self.quantities, self.adjustments = quantities, adjustments

    def _sink(self) -> None:
        self._point([], [], [], [], [])

    def _malformed(self, seg: Segment, index: int, reason: str) -> None:
        sid = seg[0]
        if sid == "CLP":
            self._close_claim()
            self._sink()
            reason += "; claim skipped"
        elif sid == "SVC":
            self.line = None
            self._sink()
            reason += "; service line skipped"
        self.findings.append(Finding("error", f"malformed {sid}: {reason}", index + 1, sid))

    # header and parties
    def _bpr(self, seg: Segment, index: int) -> None:
        self.payment = Payment(
            seg[1],
            self.cache.amount(seg[2]),
            seg[3],
            _get(seg, 4),
            self.cache.date(seg[16]) if _get(seg, 16) else None,
            _get(seg, 5),
            _trimmed(seg[6:16]),
        )

    def _trn(self, seg: Segment, index: int) -> None:
        self.trace = Trace(seg[1], seg[2], _get(seg, 3), _get(seg, 4))

    def _n1(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self.party = _Party(seg)
        if seg[1] in ("PR", "PE") and seg[1] not in self.parties:
            self.parties[seg[1]] = self.party
        self._point(self.party.references, [], [], [], [])

    def _n3(self, seg: Segment, index: int) -> None:
        if self.party is not None:
            self.party.address = tuple(seg[1:3])

    def _n4(self, seg: Segment, index: int) -> None:
        if self.party is not None:
            self.party.place = (_get(seg, 1), _get(seg, 2), _get(seg, 3))

    def _per(self, seg: Segment, index: int) -> None:
        if self.party is not None:
            self.party.contacts.append(tuple(seg[1:]))

    # claims and lines
    def _lx(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self.party = None
        self._sink()

    def _clp(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self.party = None
        if not _get(seg, 1) or not _get(seg, 2):
            raise ValueError("CLP01 and CLP02 are required")
        seg = self._require_amounts(seg, index, (3, 4))
        (
            self.cache.amount(seg[3]),
            self.cache.amount(seg[4]),
            self.cache.optional_amount(_get(seg, 5)),
        )
        claim = self.claim = _Claim(seg, index)
        self._point(
            claim.references, claim.dates, claim.amounts, claim.quantities, claim.adjustments
        )

    def _require_amounts(self, seg: Segment, index: int, positions: tuple[int, ...]) -> Segment:
        """A missing required amount reads as 0 with a finding; the claim or line is kept."""
        if len(seg) > positions[-1] and all(seg[p] for p in positions):
            return seg
        padded = seg + [""] * (positions[-1] + 1 - len(seg))
        for pos in positions:
            if not padded[pos]:
                padded[pos] = "0"
                name = f"{seg[0]}{pos:02d}"
                self.findings.append(
                    Finding(
                        "error",
                        f"{name} (required amount) is missing; read as 0",
                        index + 1,
                        seg[0],
                    )
                )
        return padded

    def _close_claim(self) -> None:
        self._close_line()
        draft = self.claim
        if draft is None:
            return
        self.claim = None
        s = draft.seg
        cache = self.cache
        self.claims.append(
            ClaimPayment(
                s[1],
                s[2],
                cache.amount(s[3]),
                cache.amount(s[4]),
                cache.optional_amount(_get(s, 5)),
                _get(s, 6),
                _get(s, 7),
                _get(s, 8),
                _get(s, 9),
                tuple(draft.adjustments),
                tuple(draft.names),
                draft.inpatient,
                draft.outpatient,
                tuple(draft.references),
                tuple(draft.dates),
                tuple(draft.amounts),
                tuple(draft.quantities),
                tuple(draft.lines),
                draft.index + 1,
            )
        )

    def _svc(self, seg: Segment, index: int) -> None:
        self._close_line()
        claim = self.claim
        if claim is None:
            raise ValueError("SVC outside a claim (no CLP before it)")
        seg = self._require_amounts(seg, index, (2, 3))
        self.procedure(seg[1]), self.cache.amount(seg[2]), self.cache.amount(seg[3])
        line = self.line = _Line(seg, index)
        self._point(line.references, line.dates, line.amounts, line.quantities, line.adjustments)

    def _close_line(self) -> None:
        draft = self.line
        if draft is None or self.claim is None:
            return
        self.line = None
        s = draft.seg
        cache = self.cache
        units = _get(s, 5)
        original = _get(s, 6)
        original_units = _get(s, 7)
        self.claim.lines.append(
            ServicePayment(
                self.procedure(s[1]),
                cache.amount(s[2]),
                cache.amount(s[3]),
                _get(s, 4),
                parse_quantity(units) if units else None,
                self.procedure(original) if original else None,
                parse_quantity(original_units) if original_units else None,
                tuple(draft.dates),
                tuple(draft.adjustments),
                tuple(draft.references),
                tuple(draft.amounts),
                tuple(draft.quantities),
                tuple(draft.remarks),
                draft.index + 1,
            )
        )
        # Restore claim-level targets for segments after the lines (rare, but tolerated).
        claim = self.claim
        self._point(
            claim.references, claim.dates, claim.amounts, claim.quantities, claim.adjustments
        )

    def procedure(self, text: str) -> Procedure:
        """A composite procedure (cached per file)."""
        found = self._procedures.get(text)
        if found is None:
            found = self._procedures[text] = procedure_of(text, self.component)
        return found

    def _cas(self, seg: Segment, index: int) -> None:
        self.adjustments.extend(adjustments_of(seg, self.cache))

    def _nm1(self, seg: Segment, index: int) -> None:
        if self.claim is not None:
            self.claim.names.append(name_of(seg))

    def _mia(self, seg: Segment, index: int) -> None:
        if self.claim is not None:
            self.claim.inpatient = tuple(seg[1:])

    def _moa(self, seg: Segment, index: int) -> None:
        if self.claim is not None:
            self.claim.outpatient = tuple(seg[1:])

    def _ref(self, seg: Segment, index: int) -> None:
        self.refs.append(Reference(seg[1], seg[2]))

    def _dtm(self, seg: Segment, index: int) -> None:
        self.dates.append(DateEntry(seg[1], self.cache.date(seg[2])))

    def _amt(self, seg: Segment, index: int) -> None:
        self.amounts.append(AmountEntry(seg[1], self.cache.amount(seg[2])))

    def _qty(self, seg: Segment, index: int) -> None:
        self.quantities.append(QuantityEntry(seg[1], parse_quantity(seg[2])))

    def _lq(self, seg: Segment, index: int) -> None:
        if self.line is None:
            raise ValueError("LQ outside a service line")
        self.line.remarks.append(Remark(seg[1], seg[2]))

    def _plb(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self._sink()
        items: list[ProviderAdjustmentItem] = []
        for pos in range(3, min(len(seg), 15), 2):
            if not seg[pos]:
                continue
            reason, _, reference = seg[pos].partition(self.component)
            items.append(ProviderAdjustmentItem(reason, self.cache.amount(seg[pos + 1]), reference))
        if not seg[1] or not items:
            raise ValueError("PLB needs a provider id and at least one reason/amount pair")
        fiscal = self.cache.date(seg[2]) if _get(seg, 2) else None
        self.plb.append(ProviderAdjustment(seg[1], fiscal, tuple(items), index + 1))

    def _build(self, span: TransactionSpan) -> Remittance:
        payment = self.payment
        if payment is None:
            self.findings.append(Finding("error", "835 has no valid BPR", span.start + 1, "ST"))
            payment = Payment("", self.cache.amount("0"), "", "", None)
        parties = {}
        for entity in ("PR", "PE"):
            draft = self.parties.get(entity)
            if draft is None:
                self.findings.append(
                    Finding("error", f"835 has no N1*{entity}", span.start + 1, "ST")
                )
                parties[entity] = Party(entity, "")
            else:
                parties[entity] = draft.build()
        return Remittance(
            payment,
            self.trace,
            parties["PR"],
            parties["PE"],
            tuple(self.claims),
            tuple(self.plb),
            tuple(self.header_refs),
            tuple(self.header_dates),
            span.control,
            span.start + 1,
        )
