"""The payer simulator: reads our 837 files and answers with 999, 277CA and 835 files.

For each 837 the payer sends back, like a clearinghouse and a payer together:

* a 999 accepting every transaction set (the files we write are valid X12),
* a 277CA accepting or rejecting each claim at the front end (``payer_rules``),
* a void (frequency 8 naming the payer's claim number) acknowledged, never paid; a
  replacement (frequency 7) adjudicated in place of the claim it names (no duplicate),
* an 835 for the accepted claims, dated ``payment_lag_days`` after receipt, with allowed
  amounts, cost sharing, denials and quiet underpayments (``payer_pricing``).

The payer's memory (visits counted, duplicates, deductibles met) is a ``PayerState`` the
caller keeps between files; the CLI stores it as JSON beside the answers. Same seed,
same files in the same order: same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from ptrcm.config import Clinic
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.contracts import Contract
from ptrcm.domain.money import Money, sum_money
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.rules.packs import builtin_packs
from ptrcm.synth.payer_pricing import price_claim, profile_contract
from ptrcm.synth.payer_profile import MemberFile, PayerProfile
from ptrcm.synth.payer_rules import Adjudicator, Decision, Edits, PayerState, edits_from_params
from ptrcm.x12.ack999.write import GroupResult, SetResult, write_999
from ptrcm.x12.claim837.read import read_837
from ptrcm.x12.common import Reference
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.remit835.model import ClaimPayment, DateEntry, Party, Payment, Remittance, Trace
from ptrcm.x12.remit835.write import write_835
from ptrcm.x12.status277.write import AckParties, ClaimAck, write_277ca

VOID = "8"  # CLM05-3 of a void: the payer cancels the claim REF*F8 names


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """What happened to one claim, for reports and tests (the files are the truth)."""

    pcn: str
    rejected: str | None
    denial: str | None  # claim-wide CARC
    line_denials: tuple[str, ...]
    paid: Money
    remit_date: date | None


@dataclass(slots=True)
class Answer:
    """The files answering one 837: name -> X12 text, and each claim's outcome."""

    files: dict[str, str] = field(default_factory=dict)
    outcomes: list[ClaimOutcome] = field(default_factory=list)


@cache
def _edits(pack: str, day: date) -> Edits:
    return edits_from_params(builtin_packs()[pack].for_date(day).params)


def _envelope_heads(text: str) -> tuple[str, str, list[tuple[str, str, str]]]:
    """(GS06, GS08, [(ST01, ST02, ST03)]) of an 837 we wrote (standard delimiters)."""
    gs06 = gs08 = ""
    sets: list[tuple[str, str, str]] = []
    for raw in text.split("~"):
        seg = raw.strip().split("*")
        if seg[0] == "GS":
            gs06, gs08 = seg[6], seg[8]
        elif seg[0] == "ST":
            sets.append((seg[1], seg[2], seg[3] if len(seg) > 3 else gs08))
    return gs06, gs08, sets


class PayerSimulator:
    """One payer, one profile, one member file; ``answer`` is called once per 837 file."""

    def __init__(
        self,
        profile: PayerProfile,
        members: MemberFile,
        clinic: Clinic,
        *,
        payer_ids: Mapping[str, str] | None = None,
        seed: int = 0,
        state: PayerState | None = None,
        first_control: int = 1,
    ) -> None:
        self.profile = profile
        self.members = members
        self.clinic = clinic
        self.payer_ids = dict(payer_ids or {})
        self.seed = seed
        self.state = state or PayerState()
        self.controls = CounterControlNumbers(first_control, first_control, 1)
        self.diagnoses = Icd10Codes()
        self._contracts: dict[str, Contract] = {}  # by payer id (the profile never changes)

    def contract(self, payer_id: str) -> Contract:
        """The profile's contract for claims to ``payer_id`` (made once per payer id)."""
        found = self._contracts.get(payer_id)
        if found is None:
            found = self._contracts[payer_id] = profile_contract(self.profile, payer_id)
        return found

    def settings(self) -> EnvelopeSettings:
        p = self.profile
        return EnvelopeSettings(p.payer_tin, self.clinic.tin, p.payer_name, "EDI", "8005550100")

    def adjudicator(self, day: date) -> Adjudicator:
        edits = _edits(self.profile.edits_pack, day)
        contract = self.contract(self.profile.name)
        return Adjudicator(
            self.profile, self.members, edits, self.state, self.seed, self.diagnoses, contract
        )

    def _claim_number(self) -> str:
        self.state.claim_numbers += 1
        prefix = self.profile.payer_tin[-4:]
        return f"{prefix}{self.seed % 1000:03d}{self.state.claim_numbers:09d}"

    def answer(self, text: str, name: str, received: date) -> Answer:
        """The 999, 277CA and 835 answering the 837 ``text`` received on ``received``."""
        claims = read_837(text, self.payer_ids)
        gs06, gs08, sets = _envelope_heads(text)
        now = datetime.combine(received, time(18, 0))
        stem = name.rsplit(".", 1)[0]
        out = Answer()
        group = GroupResult("HC", gs06, gs08, tuple(SetResult(*s) for s in sets))
        out.files[f"{stem}.999"] = write_999([group], self.settings(), self.controls, now)
        acks: list[ClaimAck] = []
        adjudicated: list[tuple[Claim, Decision, ClaimPayment]] = []
        ordered = sorted(claims, key=lambda c: c.first_date)
        judges = [self.adjudicator(claim.first_date) for claim in ordered]
        accepted = [
            c
            for c, j in zip(ordered, judges, strict=True)
            if j.front_end(c) is None and not (c.frequency == VOID and c.payer_claim_number)
        ]
        # in date-of-service order, as the services happened: year-to-date amounts grow
        for claim, judge in zip(ordered, judges, strict=True):
            if claim.frequency == VOID and claim.payer_claim_number:
                # A void cancels the claim REF*F8 names: acknowledged, nothing to pay.
                acks.append(_ack(claim, Decision(), self._claim_number()))
                out.outcomes.append(
                    ClaimOutcome(claim.claim_id, None, None, (), Money.zero(), None)
                )
                continue
            decision = judge.decide(claim, received)
            number = "" if decision.rejection else self._claim_number()
            acks.append(_ack(claim, decision, number))
            if decision.rejection:
                out.outcomes.append(
                    ClaimOutcome(claim.claim_id, decision.rejection, None, (), Money.zero(), None)
                )
            else:  # priced at once: the next claim sees this one's year-to-date amounts
                others = self._same_day_lines(claim, accepted)
                pay = self._price(claim, decision, number, received, others)
                adjudicated.append((claim, decision, pay))
        for claim in accepted:
            self.state.remember_lines(claim)
        parties = AckParties(
            self.profile.payer_name, self.profile.payer_tin, self.clinic.name, self.clinic.tin,
            self.clinic.name, self.clinic.npi, f"{stem}-{gs06}",
        )  # fmt: skip
        out.files[f"{stem}.277ca"] = write_277ca(
            acks, parties, self.settings(), self.controls, received, now
        )
        if adjudicated:
            paid_on = received + timedelta(days=self.profile.payment_lag_days)
            payments = [pay for _, _, pay in adjudicated]
            out.files[f"{stem}.835"] = self.remittance_text(payments, paid_on, f"{gs06}")
            for claim, decision, pay in adjudicated:
                out.outcomes.append(
                    ClaimOutcome(
                        claim.claim_id,
                        None,
                        decision.claim_denial.carc if decision.claim_denial else None,
                        tuple(sorted({d.carc for d in decision.line_denials.values()})),
                        pay.paid,
                        paid_on,
                    )
                )
        return out

    def _same_day_lines(self, claim: Claim, in_file: Sequence[Claim]) -> list[ClaimLine]:
        """The member's lines on the claim's dates on its other claims: those of this file
        and those of earlier files the payer remembers (MPPR across claims)."""
        days = {ln.date_of_service for ln in claim.lines}
        mates = [c for c in in_file if c.member_id == claim.member_id]
        skip = {c.claim_id for c in mates} | {claim.claim_id}
        out = [ln for day in days for ln in self.state.lines_of_day(claim.member_id, day, skip)]
        for mate in mates:
            if mate.claim_id != claim.claim_id:
                out += [ln for ln in mate.lines if ln.date_of_service in days]
        return out

    def _price(
        self,
        claim: Claim,
        decision: Decision,
        number: str,
        received: date,
        others: Sequence[ClaimLine] = (),
    ) -> ClaimPayment:
        contract = self.contract(claim.payer_id)
        return price_claim(
            claim, decision, self.profile, contract, self.state, self.seed, received, number,
            others=others,
        )  # fmt: skip

    def appeal_won(self, pcn: str) -> bool:
        """Whether the payer overturns its denial of ``pcn`` on appeal (seeded)."""
        from ptrcm.synth.payer_rules import draw

        return draw(self.seed, "appeal", pcn) < self.profile.appeal_win_rate

    def overturn(self, claims: Sequence[tuple[Claim, str]], received: date, reference: str) -> str:
        """An 835 paying appealed claims in full per contract (claim, payer claim number)."""
        payments = [
            price_claim(
                c,
                Decision(),
                self.profile,
                self.contract(c.payer_id),
                self.state,
                self.seed,
                received,
                number,
                overturned=True,
                others=self._same_day_lines(c, ()),
            )
            for c, number in claims
        ]
        paid_on = received + timedelta(days=self.profile.payment_lag_days)
        return self.remittance_text(payments, paid_on, reference)

    def remittance_text(self, payments: Sequence[ClaimPayment], paid_on: date, ref: str) -> str:
        total = sum_money(p.paid for p in payments)
        method = ("I", "CHK") if total.amount > 0 else ("H", "NON")
        payment = Payment(method[0], total, "C", method[1], paid_on)
        p = self.profile
        payer = Party(
            "PR", p.payer_name, "XV", p.payer_tin, ("PO BOX 1000",), "SPRINGFIELD", "IL",
            "62701", (Reference("2U", p.payer_tin),), (("BL", "EDI SUPPORT", "TE", "8005550100"),),
        )  # fmt: skip
        c = self.clinic
        payee = Party(
            "PE", c.name.upper(), "XX", c.npi, (c.address.line1,), c.address.city,
            c.address.state, c.address.zip, (Reference("TJ", c.tin),),
        )  # fmt: skip
        check = f"{p.payer_tin[-4:]}{ref}{paid_on.strftime('%y%m%d')}"[:30]
        remit = Remittance(
            payment,
            Trace("1", check, f"1{p.payer_tin}"),
            payer,
            payee,
            tuple(payments),
            dates=(DateEntry("405", paid_on),),
        )
        now = datetime.combine(paid_on, time(6, 0))
        return write_835([remit], self.settings(), self.controls, now)


def _ack(claim: Claim, decision: Decision, number: str) -> ClaimAck:
    person = claim.patient or (claim.subscriber.person if claim.subscriber else None)
    return ClaimAck(
        pcn=claim.claim_id,
        charge=claim.total_charge,
        first_date=claim.first_date,
        last_date=claim.last_date,
        patient_last=person.last_name if person else "PATIENT",
        patient_first=person.first_name if person else "",
        member_id=claim.member_id or "",
        accepted=decision.rejection is None,
        payer_claim_number=number,
        status_code=decision.rejection or "20",
        entity=decision.rejection_entity,
    )
