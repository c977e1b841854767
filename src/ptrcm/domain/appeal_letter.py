"""Appeal letters: a markdown letter from a claim, its denial, the deadline and the checklist.

The letter is plain markdown (readable as text, printable as HTML). Its argument paragraph
and the list of enclosures come from the denial playbook (``data/denial_playbook.toml``)
for the denial's category (reference §7), and the due date from ``deadlines`` (§8). A
denial that cannot be appealed (MA130, N211) gets no letter: it is corrected and
resubmitted or written off instead, and asking for a letter raises ``NotAppealableError``.

The letter goes to the payer, so it names the patient and member id; it must never be
logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.deadlines import Deadline
from ptrcm.domain.denials import ReasonCodes, classify_adjustment, load_reason_codes
from ptrcm.domain.money import Money
from ptrcm.errors import PtrcmError

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class NotAppealableError(PtrcmError):
    """The denial cannot be appealed (for example MA130): correct and resubmit instead."""


@dataclass(frozen=True, slots=True)
class DenialNotice:
    """The denial as the remittance reported it."""

    payer_name: str
    remit_date: date
    group: str
    carc: str
    amount: Money
    rarcs: tuple[str, ...] = ()
    payer_claim_number: str | None = None
    line_numbers: tuple[int, ...] = ()  # empty: the whole claim
    # (RARC, claim line number) for remarks the 835 put on a service line; a code in
    # ``rarcs`` with no pair here was reported for the whole claim.
    remark_lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class LetterSender:
    """The practice (or billing service) that signs the letter."""

    name: str
    npi: str
    address_lines: tuple[str, ...] = ()
    contact: str = ""


def render_appeal_letter(
    claim: Claim,
    notice: DenialNotice,
    deadline: Deadline,
    sender: LetterSender,
    as_of: date,
    *,
    codes: ReasonCodes | None = None,
) -> str:
    """A markdown appeal letter for one denial (reference §7 categories, §8 deadlines).

    Raises ``NotAppealableError`` when the CARC/RARC combination is not appealable.
    """
    codes = codes or load_reason_codes()
    lines = _disputed_lines(claim, notice.line_numbers)
    modifiers = {m for line in lines for m in line.modifiers}
    found = classify_adjustment(
        notice.group, notice.carc, notice.rarcs, line_modifiers=modifiers, codes=codes
    )
    if not found.appealable:
        remarks = " ".join(dict.fromkeys(found.rarcs))
        raise NotAppealableError(
            f"claim {claim.claim_id}: {notice.group}-{notice.carc} "
            f"{remarks} is not appealable; correct and resubmit instead".strip()
        )
    entry = codes.playbook[found.category]
    days_left = deadline.days_remaining(as_of)
    reference = notice.payer_claim_number or "(not given)"
    out = [
        f"# Request for {deadline.kind}",
        "",
        f"{MONTHS[as_of.month - 1]} {as_of.day}, {as_of.year}",
        "",
        f"To: {notice.payer_name}, appeals department",
        f"From: {sender.name} (NPI {sender.npi})",
        *[f"      {line}" for line in sender.address_lines],
        f"Re: payer claim number {reference}, our claim {claim.claim_id}",
        "",
        "| | |",
        "|---|---|",
        f"| Patient | {_patient(claim)} |",
        f"| Member ID | {claim.member_id or '(not on file)'} |",
        f"| Dates of service | {_dates(lines)} |",
        f"| Amount in dispute | ${notice.amount} |",
        f"| Denial | {notice.group}-{notice.carc}: {found.description or 'see remittance'} |",
        f"| Remark codes | {_remarks(found.rarcs, notice.remark_lines, codes)} |",
        f"| Remittance date | {notice.remit_date.isoformat()} |",
        f"| Request due | {deadline.due.isoformat()} |",
        "",
        "## What we ask",
        "",
        f"We ask {notice.payer_name} to review the denial of the services below and pay them "
        "under the patient's benefits.",
        "",
        "## Services in dispute",
        "",
        "| Line | Date | Code | Modifiers | Units | Charge |",
        "|---|---|---|---|---|---|",
        *[_service_row(line) for line in lines],
        "",
        "## Why the denial should be reversed",
        "",
        entry.letter or entry.summary,
        "",
        "## Enclosed",
        "",
        *[f"- {item}" for item in entry.checklist],
    ]
    if days_left < 0:
        out += [
            "- A statement of good cause for filing after the deadline",
            "",
            f"Note: this request is {-days_left} day(s) past the due date.",
        ]
    out += [
        "",
        "Please contact us with any question about this request.",
        "",
        "Sincerely,",
        "",
        sender.name,
    ]
    if sender.contact:
        out.append(sender.contact)
    return "\n".join(out) + "\n"


def _disputed_lines(claim: Claim, numbers: Sequence[int]) -> tuple[ClaimLine, ...]:
    if not numbers:
        return claim.lines
    wanted = set(numbers)
    lines = tuple(line for line in claim.lines if line.line_number in wanted)
    missing = wanted - {line.line_number for line in lines}
    if missing:
        raise ValueError(f"claim {claim.claim_id} has no line(s) {sorted(missing)}")
    return lines


def _patient(claim: Claim) -> str:
    person = claim.patient
    if person is None:
        return f"patient {claim.patient_id}"
    born = f", born {person.birth_date.isoformat()}" if person.birth_date else ""
    return f"{person.first_name} {person.last_name}{born}"


def _dates(lines: Sequence[ClaimLine]) -> str:
    first = min(line.date_of_service for line in lines).isoformat()
    last = max(line.date_of_service for line in lines).isoformat()
    return first if first == last else f"{first} to {last}"


def _remarks(
    rarcs: Sequence[str], remark_lines: Sequence[tuple[str, int]], codes: ReasonCodes
) -> str:
    """Each remark code once, in the order first reported, with the lines it was on: an
    835 repeats a code on every line it applies to, the letter need not."""
    if not rarcs:
        return "none"
    on_lines: dict[str, set[int]] = {}
    for code, number in remark_lines:
        on_lines.setdefault(code.strip().upper(), set()).add(number)
    texts = []
    for code in dict.fromkeys(rarcs):
        info = codes.rarcs.get(code)
        text = f"{code}: {info.description}" if info else code
        numbers = sorted(on_lines.get(code, ()))
        if numbers:
            text += f" ({'line' if len(numbers) == 1 else 'lines'} {', '.join(map(str, numbers))})"
        texts.append(text)
    return "; ".join(texts)


def _service_row(line: ClaimLine) -> str:
    modifiers = " ".join(line.modifiers) or "-"
    return (
        f"| {line.line_number} | {line.date_of_service.isoformat()} | {line.code} | "
        f"{modifiers} | {line.units} | ${line.charge} |"
    )
