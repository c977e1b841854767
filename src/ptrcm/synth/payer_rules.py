"""What the simulated payer decides about one claim, and why — the denial behaviour.

Decisions come from the claim as the 837 carries it (codes, modifiers, units, diagnosis
pointers, NPIs, authorization number, dates) and from what the payer knows (its member
file, the claims it has already seen, its edit tables). The order mirrors a real payer's
front end and adjudication:

* 277CA rejection (never adjudicated): rendering NPI fails its check digit (A7:562),
  a diagnosis code does not exist or is not billable (A7:255).
* Whole claim: CO-29 filed after the payer's limit; CO-18 exact duplicate of a claim
  already adjudicated; CO-27 the member file shows no coverage on the date of service
  (profile ``eligibility_check``); CO-197 no known authorization (or its visits are used up, N362);
  CO-119 over the annual visit limit (N640); CO-50 medical necessity at the profile's
  rate (N115).
* Per line: CO-16 + MA130 for missing data (diagnosis pointer past the list, an
  external-cause code as the first diagnosis); CO-4 therapy modifier GP/GO/GN missing or
  not the rendering provider's discipline; CO-96 a code the payer does not pay;
  CO-236 NCCI column-2 code billed with its column-1 code and no 59/X modifier;
  CO-151 units over the MUE; CO-119 + N640 a line of a Medicare threshold group (PT+SLP
  by GP/GN, OT by GO) without KX when the member's year-to-date allowed amount with this
  claim passes the year's threshold (profile ``therapy_threshold``; the amount is the
  member file's starting figure plus what this payer allowed on the claims it paid);
  CO-4 a timed line rendered by an NPI enrolled as a PTA/OTA without CQ/CO (profile
  ``assistant_modifier_required``).

Random draws (CO-50, underpayments, appeals) hash the seed with the claim id, so a
claim's fate does not depend on the order files are processed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.contracts import Contract, expected_allowed
from ptrcm.domain.denials import DISTINCT_MODIFIERS
from ptrcm.domain.money import Money
from ptrcm.domain.npi import npi_is_valid
from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER
from ptrcm.rules.icd10 import Icd10Codes, is_external_cause
from ptrcm.synth.payer_profile import MemberFile, PayerProfile

THERAPY_MODIFIERS = frozenset(DISCIPLINE_MODIFIER.values())
ASSISTANT_MODIFIERS = frozenset(ASSISTANT_MODIFIER.values())


@dataclass(frozen=True, slots=True)
class Denial:
    carc: str
    rarcs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The payer's answer: a front-end rejection, or a claim-wide denial, or line denials."""

    rejection: str | None = None  # 277CA status code (CSC) when rejected
    rejection_entity: str = ""
    claim_denial: Denial | None = None
    line_denials: Mapping[int, Denial] = field(default_factory=dict)


@dataclass(slots=True)
class PayerState:
    """What the payer remembers between files: visits counted, duplicates, deductibles."""

    visits: dict[str, int] = field(default_factory=dict)  # "member/year" -> visits
    auth_used: dict[str, int] = field(default_factory=dict)  # auth number -> visits
    seen: dict[str, str] = field(default_factory=dict)  # claim signature -> pcn
    deductible_paid: dict[str, str] = field(default_factory=dict)  # "member/year" -> amount
    claim_numbers: int = 0
    therapy_ytd: dict[str, str] = field(default_factory=dict)  # "member/year/group" -> amount
    # "member/date" -> [[claim id, line number, code, units, charge], ...]: the lines of
    # the claims adjudicated so far, for MPPR across the member's claims of a day
    day_lines: dict[str, list[list[Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "visits": self.visits,
            "auth_used": self.auth_used,
            "seen": self.seen,
            "deductible_paid": self.deductible_paid,
            "claim_numbers": self.claim_numbers,
            "therapy_ytd": self.therapy_ytd,
            "day_lines": self.day_lines,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PayerState:
        return cls(
            dict(doc.get("visits", {})),
            dict(doc.get("auth_used", {})),
            dict(doc.get("seen", {})),
            dict(doc.get("deductible_paid", {})),
            int(doc.get("claim_numbers", 0)),
            dict(doc.get("therapy_ytd", {})),
            {k: [list(r) for r in v] for k, v in doc.get("day_lines", {}).items()},
        )

    def remember_lines(self, claim: Claim) -> None:
        """Keep the claim's lines by member and date (replacing an earlier copy of it)."""
        for day in {ln.date_of_service for ln in claim.lines}:
            key = f"{claim.member_id}/{day.isoformat()}"
            kept = [r for r in self.day_lines.get(key, ()) if r[0] != claim.claim_id]
            kept += [
                [claim.claim_id, ln.line_number, ln.code, ln.units, str(ln.charge)]
                for ln in claim.lines
                if ln.date_of_service == day
            ]
            self.day_lines[key] = kept

    def lines_of_day(
        self, member: str | None, day: date, other_than: Collection[str]
    ) -> list[ClaimLine]:
        """The member's remembered lines of ``day`` on claims not in ``other_than``."""
        rows = self.day_lines.get(f"{member}/{day.isoformat()}", ())
        return [
            ClaimLine(int(r[1]), day, str(r[2]), (), int(r[3]), int(r[3]), Money.of(r[4]), ())
            for r in rows
            if r[0] not in other_than
        ]


def draw(seed: int, *keys: object) -> Decimal:
    """A number in [0, 1) fixed by the seed and the keys (order-independent randomness)."""
    text = "/".join([str(seed), *map(str, keys)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return Decimal(int.from_bytes(digest[:6], "big")) / Decimal(2**48)


def signature(claim: Claim) -> str:
    """Member, date and codes: what makes two claims exact duplicates to a payer."""
    codes = ",".join(sorted(f"{ln.code}x{ln.units}" for ln in claim.lines))
    return f"{claim.member_id}|{claim.first_date.isoformat()}|{codes}"


@dataclass(frozen=True, slots=True)
class Edits:
    """The payer's edit tables (NCCI pairs by column 2, MUEs, non-payable codes)."""

    pairs: Mapping[str, frozenset[str]]
    mue: Mapping[str, int]
    non_payable: frozenset[str]
    distinct: frozenset[str] = DISTINCT_MODIFIERS
    thresholds: Mapping[int, Decimal] = field(default_factory=dict)  # KX threshold by year


def threshold_group(line: ClaimLine) -> str | None:
    """The Medicare threshold group a line counts in, by its therapy modifier."""
    mods = set(line.modifiers)
    if "GO" in mods:
        return "OT"
    return "PT+SLP" if mods & {"GP", "GN"} else None


def edits_from_params(params: Mapping[str, Any]) -> Edits:
    pairs: dict[str, set[str]] = {}
    for row in params.get("ncci_pairs", ()):
        pairs.setdefault(str(row["column2"]), set()).add(str(row["column1"]))
    mue = {str(r["code"]): int(r["max_units"]) for r in params.get("mue", ())}
    non_payable = frozenset(
        str(r["code"]) for r in params.get("non_payable", ()) if r.get("status") != "bundled"
    )
    distinct = frozenset(params.get("distinct_modifiers", DISTINCT_MODIFIERS))
    thresholds = {
        int(r["year"]): Decimal(str(r["amount"])) for r in params.get("kx_thresholds", ())
    }
    pairs_by_code = {k: frozenset(v) for k, v in pairs.items()}
    return Edits(pairs_by_code, mue, non_payable, distinct, thresholds)


class Adjudicator:
    """Decides claims for one profile; keeps its memory in a ``PayerState``."""

    def __init__(
        self,
        profile: PayerProfile,
        members: MemberFile,
        edits: Edits,
        state: PayerState,
        seed: int,
        diagnoses: Icd10Codes | None = None,
        contract: Contract | None = None,
    ) -> None:
        self.profile = profile
        self.members = members
        self.edits = edits
        self.state = state
        self.seed = seed
        self.diagnoses = diagnoses or Icd10Codes()
        self.contract = contract

    def front_end(self, claim: Claim) -> tuple[str, str] | None:
        """The 277CA rejection (status code, entity) or None when accepted."""
        npis = [claim.rendering.npi, *(ln.rendering_npi for ln in claim.lines)]
        if any(n and not npi_is_valid(n) for n in npis):
            return "562", "82"
        for code in claim.diagnoses:
            if not self.diagnoses.exists(code) or not self.diagnoses.is_billable(code):
                return "255", ""
        return None

    def decide(self, claim: Claim, submitted_on: date) -> Decision:
        """The decision for one claim; counts it in the payer's memory when adjudicated."""
        rejected = self.front_end(claim)
        if rejected is not None:
            return Decision(rejection=rejected[0], rejection_entity=rejected[1])
        whole = self._claim_denial(claim, submitted_on)
        lines = {} if whole is not None else self._line_denials(claim)
        return Decision(claim_denial=whole, line_denials=lines)

    def _claim_denial(self, claim: Claim, submitted_on: date) -> Denial | None:
        p, st = self.profile, self.state
        if (submitted_on - claim.first_date).days > p.filing_days:
            return Denial("29")
        sig = signature(claim)
        # A replacement (frequency 7) takes the place of the claim it names: no duplicate.
        if claim.frequency != "7" and st.seen.get(sig, claim.claim_id) != claim.claim_id:
            return Denial("18")
        st.seen[sig] = claim.claim_id
        member = self.members.members.get(claim.member_id or "")
        if p.eligibility_check and member is not None and not member.covered_on(claim.first_date):
            return Denial("27")
        key = f"{claim.member_id}/{claim.first_date.year}"
        st.visits[key] = st.visits.get(key, 0) + 1
        if p.auth_required:
            denial = self._authorization(claim, member.authorizations if member else ())
            if denial is not None:
                return denial
        if p.visit_limit:
            before = member.visits_before if member else 0
            if before + st.visits[key] > p.visit_limit:
                return Denial("119", ("N640",))
        if draw(self.seed, "co50", claim.claim_id) < p.medical_necessity_rate:
            return Denial("50", ("N115",))
        return None

    def _authorization(self, claim: Claim, auths: Sequence[Any]) -> Denial | None:
        number = claim.prior_authorization
        if not number:
            return Denial("197")
        auth = next((a for a in auths if a.number == number), None)
        if auth is None or not auth.start <= claim.first_date <= auth.end:
            return Denial("197")
        used = self.state.auth_used.get(number, 0) + 1
        self.state.auth_used[number] = used
        if used > auth.visits:
            return Denial("197", ("N362",))
        return None

    def _line_denials(self, claim: Claim) -> dict[int, Denial]:
        out: dict[int, Denial] = self._over_threshold(claim)
        codes_by_day: dict[date, set[str]] = {}
        for ln in claim.lines:
            codes_by_day.setdefault(ln.date_of_service, set()).add(ln.code)
        first_dx = claim.diagnoses[0] if claim.diagnoses else ""
        for ln in claim.lines:
            denial = self._line_denial(claim, ln, codes_by_day[ln.date_of_service], first_dx)
            if denial is not None:
                out[ln.line_number] = denial
        return out

    def _over_threshold(self, claim: Claim) -> dict[int, Denial]:
        """CO-119 N640 on the lines without KX of each threshold group whose year-to-date
        allowed amount with this claim passes the year's threshold."""
        threshold = self.edits.thresholds.get(claim.first_date.year)
        if not self.profile.therapy_threshold or threshold is None or self.contract is None:
            return {}
        member = self.members.members.get(claim.member_id or "")
        allowed = {e.line_number: e.allowed.amount
                   for e in expected_allowed(claim.lines, self.contract)}  # fmt: skip
        by_group: dict[str, list[ClaimLine]] = {}
        for ln in claim.lines:
            group = threshold_group(ln)
            if group is not None:
                by_group.setdefault(group, []).append(ln)
        out: dict[int, Denial] = {}
        for group, lines in by_group.items():
            key = f"{claim.first_date.year}/{group}"
            before = member.therapy_before.get(key, Decimal(0)) if member else Decimal(0)
            ytd = before + Decimal(self.state.therapy_ytd.get(f"{claim.member_id}/{key}", "0"))
            with_claim = ytd + sum((allowed[ln.line_number] for ln in lines), Decimal(0))
            if with_claim > threshold:
                out.update({ln.line_number: Denial("119", ("N640",))
                            for ln in lines if "KX" not in ln.modifiers})  # fmt: skip
        return out

    def _line_denial(
        self, claim: Claim, ln: ClaimLine, same_day: set[str], first_dx: str
    ) -> Denial | None:
        if not ln.dx_pointers or max(ln.dx_pointers) > len(claim.diagnoses):
            return Denial("16", ("MA130", "M76"))
        if is_external_cause(first_dx):
            return Denial("16", ("MA130", "M76"))
        mods = set(ln.modifiers)
        if self.profile.therapy_modifier_required:
            npi = ln.rendering_npi or claim.rendering.npi or ""
            discipline = self.members.providers.get(npi)
            expected = DISCIPLINE_MODIFIER.get(discipline or "")
            therapy = mods & THERAPY_MODIFIERS
            if not therapy or (expected is not None and expected not in therapy):
                return Denial("4")
        if self._assistant_line_unmarked(claim, ln):
            return Denial("4")
        if ln.code in self.edits.non_payable:
            return Denial("96", ("M51",))
        column1 = self.edits.pairs.get(ln.code, frozenset())
        if column1 & (same_day - {ln.code}) and not mods & self.edits.distinct:
            return Denial("236")
        mue = self.edits.mue.get(ln.code)
        if mue is not None and ln.units > mue:
            return Denial("151", ("N362",))
        return None

    def _assistant_line_unmarked(self, claim: Claim, ln: ClaimLine) -> bool:
        """A timed PT/OT line whose rendering NPI the payer enrolled as an assistant, with
        no CQ/CO: the payer cannot see minutes, only who rendered the line."""
        if not self.profile.assistant_modifier_required:
            return False
        npi = ln.rendering_npi or claim.rendering.npi or ""
        if npi not in self.members.assistants or not load_catalog().is_timed(ln.code):
            return False
        return not set(ln.modifiers) & ASSISTANT_MODIFIERS
