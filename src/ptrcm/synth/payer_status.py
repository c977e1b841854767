"""The payer simulator's answer to a 276 claim-status request: a 277 (005010X212).

A claim the payer numbered (the 276 carries its REF*1K, learned from the 277CA) is
finalized: ``F1:1``, processed as the 835 says. A claim without one is not on file:
``A4:35`` (claim not found), which posting takes as a rejection to correct and resend.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ptrcm.domain.money import Money
from ptrcm.synth.payer import PayerSimulator
from ptrcm.x12.status277.status_write import StatusAnswer, StatusParties, write_277


def _claims_asked(text: str) -> list[dict[str, str]]:
    """Per subscriber level of a 276 we wrote (standard delimiters): the fields we need."""
    out: list[dict[str, str]] = []
    for raw in text.split("~"):
        seg = raw.strip().split("*")
        tag = seg[0]
        if tag == "HL" and len(seg) > 3 and seg[3] in ("22", "23"):
            if seg[3] == "22" or not out:
                out.append({})
        elif not out:
            continue
        elif tag == "NM1" and seg[1] in ("IL", "QC"):
            out[-1].update(last=seg[3], first=seg[4] if len(seg) > 4 else "")
            if seg[1] == "IL" and len(seg) > 9:
                out[-1]["member"] = seg[9]
        elif tag == "TRN":
            out[-1]["pcn"] = seg[2]
        elif tag == "REF" and seg[1] == "1K":
            out[-1]["number"] = seg[2]
        elif tag == "AMT" and seg[1] == "T3":
            out[-1]["charge"] = seg[2]
        elif tag == "DTP" and seg[1] == "472":
            out[-1]["dates"] = seg[3]
    return [c for c in out if "pcn" in c]


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def answer_276(sim: PayerSimulator, text: str, name: str, received: date) -> dict[str, str]:
    """The 277 file answering the 276 ``text``: {file name: X12 text}."""
    answers = []
    for c in _claims_asked(text):
        first, _, last = c.get("dates", "").partition("-")
        number = c.get("number", "")
        answers.append(StatusAnswer(
            pcn=c["pcn"], category="F1" if number else "A4", status="1" if number else "35",
            charge=Money.of(c.get("charge", "0")), paid=None, first_date=_day(first),
            last_date=_day(last or first), member_id=c.get("member", ""),
            patient_last=c.get("last", ""), patient_first=c.get("first", ""),
            payer_claim_number=number,
        ))  # fmt: skip
    p, clinic = sim.profile, sim.clinic
    parties = StatusParties(p.payer_name, p.payer_tin, clinic.name, clinic.tin, clinic.name,
                            clinic.npi)  # fmt: skip
    now = datetime.combine(received, time(18, 0))
    stem = name.rsplit(".", 1)[0]
    body = write_277(answers, parties, sim.settings(), sim.controls, stem, now)
    return {f"{stem}.277": body}
