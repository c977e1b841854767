"""835 005010X221A1 reader: a tokenized transaction set into a ``Remittance``.

One pass over the segments with a dict from segment id to handler. REF/DTM/AMT/QTY/CAS go
to whatever loop is open (header, payer/payee, claim, service line): the handlers append
to "current target" lists that CLP, SVC and N1 re-point, so no per-segment branching on
the loop is needed. Immutable values that repeat (amounts, dates, DTM/AMT entries, whole
CAS segments, procedures) are built once per file and shared.

A malformed CLP, SVC, CAS (or any other segment) becomes a finding naming its segment
number; a bad CLP or SVC drops that claim or line, a missing required amount reads as 0
(with a finding), and the rest of the file is read. Balancing is checked afterwards
(``ptrcm.x12.remit835.balance``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ptrcm.domain.money import Money
from ptrcm.x12.common import PersonName, Reference
from ptrcm.x12.errors import Finding
from ptrcm.x12.remit835.balance import claim_findings, transaction_findings
from ptrcm.x12.remit835.drafts import (
    ClaimDraft,
    LineDraft,
    PartyDraft,
    adjustments_of,
    get,
    procedure_of,
    trimmed,
)
from ptrcm.x12.remit835.model import (
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
from ptrcm.x12.structure import TransactionSpan
from ptrcm.x12.values import ValueCache, parse_quantity

Segment = list[str]
_NAME_WIDTH = 10
READ_ERRORS = (ValueError, ArithmeticError, IndexError)


class RemittanceReader:
    """Reads 835 transaction sets; ``findings`` collects every defect found."""

    def __init__(self, cache: ValueCache | None = None) -> None:
        self.cache = cache or ValueCache()
        self.findings: list[Finding] = []
        self._money: dict[str, Money] = {}
        self._procedures: dict[str, Procedure] = {}
        self._dtm: dict[str, DateEntry] = {}
        self._amt: dict[str, AmountEntry] = {}
        self._cas: dict[tuple[str, ...], tuple[Adjustment, ...]] = {}
        self._quantities: dict[str, Decimal] = {}

    def read(self, segments: list[Segment], span: TransactionSpan) -> Remittance:
        """The remittance in ``segments[span.start : span.end + 1]``."""
        header = self.begin(span.start, span.delimiters.component)
        handlers = self.handlers()
        for index in range(span.start + 1, span.end):
            seg = segments[index]
            handler = handlers.get(seg[0])
            if handler is None:
                continue
            try:
                handler(seg, index)
            except READ_ERRORS as exc:
                self.malformed(seg, index, str(exc))
        return self.finish(span, header)

    def begin(self, start: int, component: str) -> ClaimDraft:
        """Start a transaction set whose ST is at ``start``; returns its header draft."""
        self.component = component
        self.payment: Payment | None = None
        self.trace: Trace | None = None
        self.parties: dict[str, PartyDraft] = {}
        self.party: PartyDraft | None = None
        self.claims: list[ClaimPayment] = []
        self.plb: list[ProviderAdjustment] = []
        self.claim: ClaimDraft | None = None
        self.line: LineDraft | None = None
        self.paid = Decimal(0)  # CLP04 of the claims handed out by ``drain``
        self.balance: list[Finding] = []  # their balancing failures, reported at SE
        header = self._header = ClaimDraft((), start)
        self._point(header)
        return header

    def finish(self, span: TransactionSpan, header: ClaimDraft) -> Remittance:
        """The remittance once its SE was reached, with its balancing findings. Its claims
        are those not handed out by ``drain`` (all of them when nothing drained)."""
        self._close_claim()
        remit = self._build(span, header, self.drain())
        self.findings.extend(self.balance)
        self.findings.extend(transaction_findings(remit, self.paid))
        return remit

    def drain(self) -> list[ClaimPayment]:
        """Hand out the claims closed so far (a streaming reader posts them a chunk at a
        time); their balance is checked now, reported with the set's findings at SE."""
        out, self.claims = self.claims, []
        for claim in out:
            self.paid += claim.paid.amount
            claim_findings(claim, self.balance)
        return out

    def head(self, start: int, control: str) -> Remittance:
        """The open set's header (payment, trace, parties, references, dates) with no
        claims, as ``finish`` will give it (no finding is added here)."""
        payment = self.payment or Payment("", self._amount("0"), "", "", None)
        parties = {
            e: d.build() if (d := self.parties.get(e)) else Party(e, "") for e in ("PR", "PE")
        }
        header = self._header
        return Remittance(
            payment, self.trace, parties["PR"], parties["PE"], (), (),
            tuple(header.references), tuple(header.dates), control, start + 1,
        )  # fmt: skip

    def trim_caches(self, limit: int = 50_000) -> None:
        """Forget the shared values once a cache outgrows ``limit`` (a file's distinct
        amounts, dates and CAS segments are few, but a large file must not grow without
        bound); values already handed out are unaffected."""
        for cache in (self._money, self._procedures, self._dtm, self._amt, self._cas,
                      self._quantities):  # fmt: skip
            if len(cache) > limit:
                cache.clear()

    def handlers(self) -> dict[str, Callable[[Segment, int], None]]:
        """Segment id -> handler for the segments inside a transaction set."""
        return self._handlers()

    def _handlers(self) -> dict[str, Callable[[Segment, int], None]]:
        return {
            "CAS": self._on_cas, "DTM": self._on_dtm, "REF": self._on_ref, "SVC": self._on_svc,
            "CLP": self._on_clp, "NM1": self._on_nm1, "AMT": self._on_amt, "LQ": self._on_lq,
            "QTY": self._on_qty, "MIA": self._on_mia, "MOA": self._on_moa, "LX": self._on_lx,
            "PLB": self._on_plb, "BPR": self._on_bpr, "TRN": self._on_trn, "N1": self._on_n1,
            "N3": self._on_n3, "N4": self._on_n4, "PER": self._on_per,
        }  # fmt: skip

    def repeatable(self, seg: Segment) -> tuple[Callable[[Any], None], Any]:
        """For a DTM, AMT or CAS: the value it adds and the method adding it to the open
        loop. The value depends on the segment's text alone, so a one-pass reader may
        remember it by text and skip splitting and parsing the next identical segment."""
        sid = seg[0]
        if sid == "CAS":
            return self._add_adjustments, tuple(adjustments_of(seg, self.cache))
        if sid == "DTM":
            return self._add_date, DateEntry(seg[1], self.cache.date(seg[2]))
        if sid == "AMT":
            return self._add_amount, AmountEntry(seg[1], self._amount(seg[2]))
        raise ValueError(f"{sid} is not a repeatable segment")

    def _add_adjustments(self, found: tuple[Adjustment, ...]) -> None:
        self.adjustments.extend(found)

    def _add_date(self, entry: DateEntry) -> None:
        self.dates.append(entry)

    def _add_amount(self, entry: AmountEntry) -> None:
        self.amounts.append(entry)

    def _point(self, draft: ClaimDraft | LineDraft) -> None:
        self.refs, self.dates, self.amounts = draft.references, draft.dates, draft.amounts
        self.quantities, self.adjustments = draft.quantities, draft.adjustments

    def malformed(self, seg: Segment, index: int, reason: str) -> None:
        """A segment that could not be read: a finding; a bad CLP or SVC is dropped."""
        sid = seg[0]
        if sid == "CLP":
            self._close_claim()
            self._point(ClaimDraft((), index))
            reason += "; claim skipped"
        elif sid == "SVC":
            self.line = None
            self._point(ClaimDraft((), index))
            reason += "; service line skipped"
        self.findings.append(Finding("error", f"malformed {sid}: {reason}", index + 1, sid))

    def _amount(self, text: str) -> Money:
        return self._money.get(text) or self._money.setdefault(text, self.cache.amount(text))

    def _quantity(self, text: str) -> Decimal:
        found = self._quantities.get(text)
        if found is None:
            found = self._quantities[text] = parse_quantity(text)
        return found

    def _require_amounts(self, seg: Segment, index: int, positions: tuple[int, int]) -> Segment:
        """A missing required amount reads as 0 with a finding; the claim or line is kept."""
        padded = seg + [""] * (positions[-1] + 1 - len(seg))
        for pos in positions:
            if not padded[pos]:
                padded[pos] = "0"
                message = f"{seg[0]}{pos:02d} (required amount) is missing; read as 0"
                self.findings.append(Finding("error", message, index + 1, seg[0]))
        return padded

    # header and parties
    def _on_bpr(self, seg: Segment, index: int) -> None:
        when = get(seg, 16)
        self.payment = Payment(
            seg[1], self._amount(seg[2]), seg[3], get(seg, 4),
            self.cache.date(when) if when else None, get(seg, 5), trimmed(seg[6:16]),
        )  # fmt: skip

    def _on_trn(self, seg: Segment, index: int) -> None:
        self.trace = Trace(seg[1], seg[2], get(seg, 3), get(seg, 4))

    def _on_n1(self, seg: Segment, index: int) -> None:
        self._close_claim()
        party = self.party = PartyDraft(seg)
        if seg[1] in ("PR", "PE") and seg[1] not in self.parties:
            self.parties[seg[1]] = party
        sink = ClaimDraft((), index)
        sink.references = party.references
        self._point(sink)

    def _on_n3(self, seg: Segment, index: int) -> None:
        if self.party is not None:
            self.party.address = tuple(seg[1:3])

    def _on_n4(self, seg: Segment, index: int) -> None:
        if self.party is not None:
            self.party.place = (get(seg, 1), get(seg, 2), get(seg, 3))

    def _on_per(self, seg: Segment, index: int) -> None:
        if self.party is not None:
            self.party.contacts.append(tuple(seg[1:]))

    # claims and lines
    def _on_lx(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self.party = None
        self._point(ClaimDraft((), index))

    def _on_clp(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self.party = None
        if len(seg) < 5 or not seg[3] or not seg[4]:
            if len(seg) < 3 or not seg[1] or not seg[2]:
                raise ValueError("CLP01 and CLP02 are required")
            seg = self._require_amounts(seg, index, (3, 4))
        if not seg[1] or not seg[2]:
            raise ValueError("CLP01 and CLP02 are required")
        if len(seg) < 10:
            seg = seg + [""] * (10 - len(seg))
        money = self._money
        head = (
            seg[1],
            seg[2],
            money.get(seg[3]) or self._amount(seg[3]),
            money.get(seg[4]) or self._amount(seg[4]),
            (money.get(seg[5]) or self._amount(seg[5])) if seg[5] else None,
            seg[6],
            seg[7],
            seg[8],
            seg[9],
        )
        claim = self.claim = ClaimDraft(head, index)
        self._point(claim)

    def _close_claim(self) -> None:
        if self.line is not None:
            self._close_line()
        d = self.claim
        if d is None:
            return
        self.claim = None
        h = d.head
        self.claims.append(
            ClaimPayment(
                h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8],
                tuple(d.adjustments) if d.adjustments else (),
                tuple(d.names) if d.names else (),
                d.mia, d.moa,
                tuple(d.references) if d.references else (),
                tuple(d.dates) if d.dates else (),
                tuple(d.amounts) if d.amounts else (),
                tuple(d.quantities) if d.quantities else (),
                tuple(d.lines), d.index + 1,
            )
        )  # fmt: skip

    def _on_svc(self, seg: Segment, index: int) -> None:
        if self.line is not None:
            self._close_line()
        if self.claim is None:
            raise ValueError("SVC outside a claim (no CLP before it)")
        if len(seg) < 4 or not seg[2] or not seg[3]:
            seg = self._require_amounts(seg, index, (2, 3))
        n = len(seg)
        units = seg[5] if n > 5 else ""
        original = seg[6] if n > 6 else ""
        original_units = seg[7] if n > 7 else ""
        money, procedures, quantities = self._money, self._procedures, self._quantities
        head = (
            procedures.get(seg[1]) or self._procedure(seg[1]),
            money.get(seg[2]) or self._amount(seg[2]),
            money.get(seg[3]) or self._amount(seg[3]),
            seg[4] if n > 4 else "",
            (quantities.get(units) or self._quantity(units)) if units else None,
            (procedures.get(original) or self._procedure(original)) if original else None,
            (quantities.get(original_units) or self._quantity(original_units))
            if original_units
            else None,
        )
        line = self.line = LineDraft(head, index)
        self.refs, self.dates, self.amounts = line.references, line.dates, line.amounts
        self.quantities, self.adjustments = line.quantities, line.adjustments

    def _close_line(self) -> None:
        d = self.line
        self.line = None
        if d is None or self.claim is None:
            return
        h = d.head
        self.claim.lines.append(
            ServicePayment(
                h[0], h[1], h[2], h[3], h[4], h[5], h[6],
                tuple(d.dates) if d.dates else (),
                tuple(d.adjustments) if d.adjustments else (),
                tuple(d.references) if d.references else (),
                tuple(d.amounts) if d.amounts else (),
                tuple(d.quantities) if d.quantities else (),
                tuple(d.remarks) if d.remarks else (),
                d.index + 1,
            )
        )  # fmt: skip

    def _procedure(self, text: str) -> Procedure:
        found = self._procedures.get(text)
        if found is None:
            found = self._procedures[text] = procedure_of(text, self.component)
        return found

    def _on_cas(self, seg: Segment, index: int) -> None:
        key = tuple(seg)
        found = self._cas.get(key)
        if found is None:
            found = self._cas[key] = tuple(adjustments_of(seg, self.cache))
        self.adjustments.extend(found)

    def _on_nm1(self, seg: Segment, index: int) -> None:
        if self.claim is not None:
            s = seg if len(seg) >= _NAME_WIDTH else seg + [""] * (_NAME_WIDTH - len(seg))
            self.claim.names.append(PersonName(s[1], s[3], s[4], s[5], s[7], s[8], s[9], s[2]))

    def _on_mia(self, seg: Segment, index: int) -> None:
        if self.claim is not None:
            self.claim.mia = tuple(seg[1:])

    def _on_moa(self, seg: Segment, index: int) -> None:
        if self.claim is not None:
            self.claim.moa = tuple(seg[1:])

    def _on_ref(self, seg: Segment, index: int) -> None:
        self.refs.append(Reference(seg[1], seg[2]))

    def _on_dtm(self, seg: Segment, index: int) -> None:
        key = seg[1] + "*" + seg[2]
        found = self._dtm.get(key)
        if found is None:
            found = self._dtm[key] = DateEntry(seg[1], self.cache.date(seg[2]))
        self.dates.append(found)

    def _on_amt(self, seg: Segment, index: int) -> None:
        key = seg[1] + "*" + seg[2]
        found = self._amt.get(key)
        if found is None:
            found = self._amt[key] = AmountEntry(seg[1], self._amount(seg[2]))
        self.amounts.append(found)

    def _on_qty(self, seg: Segment, index: int) -> None:
        self.quantities.append(QuantityEntry(seg[1], self._quantity(seg[2])))

    def _on_lq(self, seg: Segment, index: int) -> None:
        if self.line is None:
            raise ValueError("LQ outside a service line")
        self.line.remarks.append(Remark(seg[1], seg[2]))

    def _on_plb(self, seg: Segment, index: int) -> None:
        self._close_claim()
        self._point(ClaimDraft((), index))
        items: list[ProviderAdjustmentItem] = []
        for pos in range(3, min(len(seg), 15), 2):
            if seg[pos]:
                reason, _, reference = seg[pos].partition(self.component)
                items.append(ProviderAdjustmentItem(reason, self._amount(seg[pos + 1]), reference))
        if not seg[1] or not items:
            raise ValueError("PLB needs a provider id and at least one reason/amount pair")
        fiscal = self.cache.date(seg[2]) if get(seg, 2) else None
        self.plb.append(ProviderAdjustment(seg[1], fiscal, tuple(items), index + 1))

    def _build(
        self, span: TransactionSpan, header: ClaimDraft, claims: list[ClaimPayment]
    ) -> Remittance:
        payment = self.payment
        if payment is None:
            self.findings.append(Finding("error", "835 has no valid BPR", span.start + 1, "ST"))
            payment = Payment("", self._amount("0"), "", "", None)
        parties = {}
        for entity in ("PR", "PE"):
            draft = self.parties.get(entity)
            if draft is None:
                message = f"835 has no N1*{entity}"
                self.findings.append(Finding("error", message, span.start + 1, "ST"))
                parties[entity] = Party(entity, "")
            else:
                parties[entity] = draft.build()
        return Remittance(
            payment, self.trace, parties["PR"], parties["PE"], tuple(claims),
            tuple(self.plb), tuple(header.references), tuple(header.dates), span.control,
            span.start + 1,
        )  # fmt: skip
