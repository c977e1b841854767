"""One 837P/837I transaction set into ``Claim`` values: the segment walk of the 837 reader.

Segments are taken in order and only what a ``Claim`` holds is kept; segments and loops
the model has no place for (CL1, HCP repricing, AMT, K3, NTE, ambulance and vision
segments...) are passed over. The COB loops of a secondary claim (2320-2330 after an SBR
inside the claim, 2430 after an SVD) describe the other payer, not this claim, and are
skipped too.

A segment that cannot be read becomes an error finding naming its segment number; when it
belongs to a claim, that claim is skipped ("claim ... skipped") and the rest of the file is
read. Oddities that do not stop a claim (an unknown NM1 entity code, an N4 that does not
follow its N3, a component separator other than ISA16) are warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from ptrcm.domain.claims import FREQUENCY_ORIGINAL, Claim
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Address, Person, Provider, Referring, Subscriber
from ptrcm.x12.claim837.drafts import (
    COMMON_COMPONENTS,
    CREDENTIAL_OF_TAXONOMY,
    DIAGNOSIS_QUALIFIERS,
    ENTITY_CODES,
    RELATIONSHIP_OF_CODE,
    ClaimDraft,
    ClaimsRead,
    LineDraft,
    claim_lines,
    discipline_of,
    dtp_period,
    el,
    full_name,
    icd,
    person_of,
    place_occurrence,
    units_of,
)
from ptrcm.x12.errors import Finding, Severity
from ptrcm.x12.structure import TransactionSpan
from ptrcm.x12.values import parse_amount, parse_date, parse_quantity

Segment = list[str]
_CLAIM_REFS = {"G1": "authorization", "F8": "payer_claim", "EA": "patient_id"}
_READ_ERRORS = (ValueError, IndexError, KeyError, ArithmeticError, TypeError)


@dataclass
class _Party:
    person: Person | None = None
    member_id: str | None = None


class ClaimSetReader:
    """Reads the claims of one 837 transaction set into ``out``."""

    def __init__(
        self, segments: list[Segment], span: TransactionSpan, payer_ids: Mapping[str, str],
        out: ClaimsRead,
    ) -> None:  # fmt: skip
        self.segments, self.span, self.payer_ids, self.out = segments, span, payer_ids, out
        self.institutional = "X223" in span.version + " " + span.group_version
        self.component = span.delimiters.component
        self.taken = {span.delimiters.element, span.delimiters.segment}
        self.taken.add(span.delimiters.repetition)
        self.warned_component = False
        self.billing_npi = ""
        self.payer_code = ""
        self.subscriber = _Party()
        self.relationship = "self"
        self.patient: Person | None = None
        self.loop = ""
        self.claim: ClaimDraft | None = None
        self.address_of = ""
        self.n3: Segment | None = None
        self.index = span.start
        self.handlers: dict[str, Callable[[Segment], None]] = {
            "HL": self.on_hl, "SBR": self.on_sbr, "PAT": self.on_pat, "NM1": self.on_nm1,
            "N3": self.on_n3, "N4": self.on_n4, "DMG": self.on_dmg, "CLM": self.on_clm,
            "LX": self.on_lx, "SV1": self.on_sv1, "SV2": self.on_sv2, "SVD": self.on_svd,
            "DTP": self.on_dtp, "PRV": self.on_prv, "REF": self.on_ref, "HI": self.on_hi,
        }  # fmt: skip

    def read(self) -> None:
        """Walk ST..SE, then close the last claim."""
        for index in range(self.span.start + 1, self.span.end):
            seg = self.segments[index]
            self.index = index
            handler = self.handlers.get(seg[0])
            if seg[0] not in ("N3", "N4", "NM1"):
                self.address_of = ""
            if handler is None:
                continue
            try:
                handler(seg)
            except _READ_ERRORS as exc:
                self.malformed(seg, str(exc))
        self.finish_claim()

    # findings
    def note(self, severity: Severity, message: str, index: int | None = None) -> None:
        at = self.index if index is None else index
        self.out.findings.append(Finding(severity, message, at + 1, self.segments[at][0]))

    def malformed(self, seg: Segment, reason: str) -> None:
        claim = self.claim
        if claim is not None and self.loop in ("COB", "2430"):
            # The other payer's loops are not read into the claim: the claim stands.
            self.note("warning", f"malformed {seg[0]} in another payer's loop: {reason}")
            return
        if claim is not None:
            if not claim.broken:
                reason += f"; claim {claim.claim_id!r} skipped"
            claim.broken = True
        self.note("error", f"malformed {seg[0]}: {reason}")

    def parts(self, value: str) -> list[str]:
        """A composite's components; a sender's other separator is tolerated (a warning)."""
        if self.component in value:
            return value.split(self.component)
        for other in COMMON_COMPONENTS:
            if other in value and other not in self.taken:
                if not self.warned_component:
                    self.warned_component = True
                    self.note(
                        "warning",
                        f"component separator {other!r} used where ISA16 declares"
                        f" {self.component!r}",
                    )
                return value.split(other)
        return [value]

    # hierarchy and parties
    def on_hl(self, seg: Segment) -> None:
        self.finish_claim()
        level = el(seg, 3)
        if level == "22":
            self.subscriber, self.relationship, self.patient = _Party(), "self", None
        elif level == "20":
            self.billing_npi = ""
        self.loop = level

    def on_sbr(self, seg: Segment) -> None:
        if self.claim is not None:
            self.loop = "COB"
        elif el(seg, 2) in RELATIONSHIP_OF_CODE:
            self.relationship = RELATIONSHIP_OF_CODE[el(seg, 2)]

    def on_pat(self, seg: Segment) -> None:
        self.relationship = RELATIONSHIP_OF_CODE.get(el(seg, 1), "other")

    def on_nm1(self, seg: Segment) -> None:
        self.address_of = ""
        qualifier = el(seg, 1)
        if qualifier not in ENTITY_CODES:
            self.note("warning", f"NM101 {qualifier!r} is not an entity code of the 837")
        if not el(seg, 2):
            self.note("warning", "NM102 (entity type qualifier) is missing")
        if self.loop in ("COB", "2430"):
            return
        claim = self.claim
        if qualifier == "85":
            self.billing_npi = el(seg, 9)
        elif qualifier == "PR":
            self.payer_code = el(seg, 9)
        elif qualifier == "IL":
            self.subscriber = _Party(person_of(seg), el(seg, 9) or None)
            self.address_of = "IL"
        elif qualifier == "QC":
            self.patient = person_of(seg)
            self.address_of = "QC"
        elif claim is not None and qualifier == "DN":
            claim.referring = Referring(el(seg, 9) or None, full_name(seg))
        elif claim is not None and qualifier in ("82", "71"):
            claim.rendering = Provider("", el(seg, 9) or None, full_name(seg))

    def on_n3(self, seg: Segment) -> None:
        self.n3 = seg

    def on_n4(self, seg: Segment) -> None:
        n3, self.n3 = self.n3, None
        if self.segments[self.index - 1][0] != "N3":
            self.note("warning", "N4 does not follow an N3 (segments out of order?)")
            return
        if n3 is None or self.address_of not in ("IL", "QC"):
            return
        addr = Address(el(n3, 1), el(seg, 1), el(seg, 2), el(seg, 3), el(n3, 2) or None)
        if self.address_of == "IL" and self.subscriber.person is not None:
            self.subscriber.person = replace(self.subscriber.person, address=addr)
        elif self.address_of == "QC" and self.patient is not None:
            self.patient = replace(self.patient, address=addr)

    def on_dmg(self, seg: Segment) -> None:
        if self.loop in ("COB", "2430") or self.claim is not None:
            return
        born = parse_date(el(seg, 2)) if el(seg, 2) else None
        sex = el(seg, 3) or "U"
        if self.loop == "23" and self.patient is not None:
            self.patient = replace(self.patient, birth_date=born, sex=sex)
        elif self.subscriber.person is not None:
            self.subscriber.person = replace(self.subscriber.person, birth_date=born, sex=sex)

    # claim and lines
    def on_clm(self, seg: Segment) -> None:
        self.finish_claim()
        self.loop = "2300"
        claim_id = el(seg, 1)
        # A claim is opened even when CLM is malformed, so that its segments are skipped.
        self.claim = ClaimDraft(claim_id, "", FREQUENCY_ORIGINAL, self.index)
        if not claim_id:
            raise ValueError("CLM01 (claim id) is missing")
        if not el(seg, 2):
            raise ValueError("CLM02 (total charge) is missing")
        parse_amount(el(seg, 2))
        parts = self.parts(el(seg, 5))
        if not parts[0]:
            raise ValueError("CLM05 (facility code, qualifier, frequency) is missing")
        self.claim.place = parts[0]
        if len(parts) > 2 and parts[2]:
            self.claim.frequency = parts[2]
        else:
            self.note("warning", f"CLM05 {el(seg, 5)!r} has no frequency code; read as original")

    def line(self) -> LineDraft | None:
        claim = self.claim
        if claim is None or self.loop != "2400" or not claim.lines:
            return None
        return claim.lines[-1]

    def on_lx(self, seg: Segment) -> None:
        if self.claim is None:
            raise ValueError("LX outside a claim (no CLM before it)")
        self.loop = "2400"
        self.claim.lines.append(LineDraft(self.index))

    def on_sv1(self, seg: Segment) -> None:
        line = self.service_line()
        procedure = self.procedure(el(seg, 1), "SV101")
        line.code, line.modifiers = procedure[0], procedure[1]
        line.charge = self.charge(el(seg, 2), "SV102")
        line.units = self.units(el(seg, 4), "SV104")
        pointers = self.parts(el(seg, 7)) if el(seg, 7) else []
        line.pointers = tuple(int(p) for p in pointers if p)

    def on_sv2(self, seg: Segment) -> None:
        line = self.service_line()
        line.revenue = el(seg, 1)
        if el(seg, 2):
            line.code, line.modifiers = self.procedure(el(seg, 2), "SV202")
        elif not line.revenue:
            raise ValueError("SV2 has neither a revenue code nor a procedure")
        line.charge = self.charge(el(seg, 3), "SV203")
        line.units = self.units(el(seg, 5), "SV205")

    @staticmethod
    def charge(text: str, name: str) -> Money:
        if not text:
            raise ValueError(f"{name} (line charge) is missing")
        return parse_amount(text)

    def units(self, text: str, name: str) -> int:
        whole, dropped = units_of(text)
        if dropped:
            self.note("warning", f"{name} units {text!r} are fractional; read as {whole}")
        return whole

    def service_line(self) -> LineDraft:
        line = self.line()
        if line is None:
            raise ValueError("service line segment outside a 2400 loop (no LX before it)")
        return line

    def procedure(self, value: str, name: str) -> tuple[str, tuple[str, ...]]:
        parts = self.parts(value)
        if len(parts) < 2 or not parts[1]:
            raise ValueError(f"{name} {value!r} needs a qualifier and a procedure code")
        return parts[1], tuple(m for m in parts[2:6] if m)

    def on_svd(self, seg: Segment) -> None:
        if self.claim is not None:
            self.loop = "2430"

    def on_dtp(self, seg: Segment) -> None:
        claim = self.claim
        if claim is None or self.loop in ("COB", "2430"):
            return
        qualifier = el(seg, 1)
        if qualifier not in ("472", "434", "431", "454"):
            return
        period = dtp_period(seg)
        if period is None:
            raise ValueError(f"DTP02 {el(seg, 2)!r} is not a date format (D8, RD8)")
        line = self.line()
        if qualifier == "472" and line is not None:
            line.period = period
        elif qualifier == "472":
            claim.period = period
        elif qualifier == "434":
            claim.period = claim.period or period
        elif qualifier == "431":
            claim.onset = period[0]
        elif qualifier == "454":
            claim.initial = period[0]

    def on_prv(self, seg: Segment) -> None:
        claim = self.claim
        if claim is None or claim.rendering is None or el(seg, 1) not in ("PE", "AT"):
            return
        credential = CREDENTIAL_OF_TAXONOMY.get(el(seg, 3), "")
        claim.rendering = replace(claim.rendering, credential=credential)

    def on_ref(self, seg: Segment) -> None:
        claim = self.claim
        if claim is None or self.loop in ("COB", "2430"):
            return
        qualifier, value = el(seg, 1), el(seg, 2)
        line = self.line()
        if line is not None:
            if qualifier == "6R" and value.isdigit():
                line.number = int(value)
        elif qualifier in _CLAIM_REFS:
            setattr(claim, _CLAIM_REFS[qualifier], value)

    def on_hi(self, seg: Segment) -> None:
        claim = self.claim
        if claim is None or self.loop != "2300":
            return
        for composite in seg[1:]:
            parts = self.parts(composite)
            qualifier = parts[0]
            if qualifier in DIAGNOSIS_QUALIFIERS and len(parts) > 1:
                claim.diagnoses.append(icd(parts[1]))
            elif qualifier == "BH" and len(parts) > 3:
                place_occurrence(claim, parts[1], parse_date(parts[3]))
            elif qualifier == "BE" and len(parts) > 4 and parts[1] in ("50", "51", "52"):
                claim.visits = int(parse_quantity(parts[4]))

    def finish_claim(self) -> None:
        draft, self.claim = self.claim, None
        if draft is None or draft.broken:
            return
        rendering = draft.rendering or Provider("", self.billing_npi or None, None)
        try:
            lines, period = claim_lines(draft, rendering.npi)
        except ValueError as exc:
            message = f"claim {draft.claim_id!r} skipped: {exc}"
            self.out.findings.append(Finding("error", message, draft.segment + 1, "CLM"))
            return
        dependent = self.relationship != "self"
        subscriber = self.subscriber.person
        self.out.claims.append(
            Claim(
                claim_id=draft.claim_id,
                payer_id=self.payer_ids.get(self.payer_code, self.payer_code),
                patient_id=draft.patient_id,
                discipline=discipline_of(draft),
                lines=lines,
                diagnoses=tuple(draft.diagnoses),
                rendering=rendering,
                member_id=self.subscriber.member_id,
                place_of_service="11" if self.institutional else draft.place,
                frequency=draft.frequency,
                payer_claim_number=draft.payer_claim,
                patient=self.patient if dependent else subscriber,
                subscriber=Subscriber(self.relationship, subscriber)
                if dependent and subscriber
                else None,
                referring=draft.referring,
                onset_date=draft.onset,
                prior_authorization=draft.authorization,
                initial_treatment_date=draft.initial,
                plan_established_date=draft.plan,
                episode_visits=draft.visits,
            )
        )
        self.out.periods.append(period)
