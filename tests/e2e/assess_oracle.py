"""An independent reading of 835 and 837 files for the `ptrcm assess` tests.

Straight from the segments, with nothing of ptrcm's X12 or assessment code: the delimiters
from the ISA, CLP/CAS/SVC/LQ/MOA/DTM, the CARC kinds and the prevention table read from
their data files. It implements docs/assess.md's definitions again, the simple way.
"""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "src" / "ptrcm" / "data"


def segments(raw: bytes) -> list[list[str]]:
    text = raw.decode("utf-8", "replace").lstrip("\ufeff").lstrip()
    if text.startswith("ISA"):
        element, terminator = text[3], text[105]
    else:
        element, terminator = "*", "~"
    out = []
    for piece in text.split(terminator):
        piece = piece.strip()
        if piece:
            out.append(piece.split(element))
    return out


def carc_kinds() -> dict[str, str]:
    lines = [ln for ln in (DATA / "carc.csv").read_text().splitlines() if not ln.startswith("#")]
    return {row["code"]: row["kind"] for row in csv.DictReader(lines)}


def prevention() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    rows = tomllib.loads((DATA / "preventable_denials.toml").read_text())["rows"]
    with_remark = {(r["carc"], r["rarc"]): r["rule"] for r in rows if r.get("rarc")}
    plain = {r["carc"]: r["rule"] for r in rows if not r.get("rarc")}
    return with_remark, plain


@dataclass
class Clp:
    pcn: str
    status: str
    charge: Decimal
    paid: Decimal
    paid_on: str
    order: int
    cas: list[tuple[str, str, Decimal, tuple[str, ...]]] = field(default_factory=list)

    @property
    def reversal(self) -> bool:
        return self.status == "22" or self.paid < 0 or any(c[0] == "CR" for c in self.cas)


def close_line(
    current: Clp | None, line_cas: list[tuple[str, str, Decimal]], line_remarks: list[str]
) -> None:
    """The SVC line ends: its CAS join the claim's, each with the line's LQ*HE remarks."""
    if current is not None:
        current.cas.extend((g, r, a, tuple(line_remarks)) for g, r, a in line_cas)
    line_cas.clear()
    line_remarks.clear()


def read_835s(folder: Path) -> list[Clp]:
    """Every CLP of every 835 under the folder, re-sent payments (same payer, TRN02, BPR02,
    BPR16) dropped; line CAS carry the line's LQ*HE remarks, claim CAS the MOA remarks."""
    claims: list[Clp] = []
    seen: set[tuple[str, str, Decimal, str]] = set()
    order = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        segs = segments(path.read_bytes())
        if not any(s[0] == "ST" and len(s) > 1 and s[1] == "835" for s in segs):
            continue
        skip = False
        bpr_amount, bpr_date, trn, payer = Decimal(0), "", "", ""
        current: Clp | None = None
        line_cas: list[tuple[str, str, Decimal]] = []
        line_remarks: list[str] = []
        in_line = checked = False

        for s in segs:
            tag = s[0]
            if tag == "ST":
                close_line(current, line_cas, line_remarks)
                skip, trn, payer, current, in_line = False, "", "", None, False
                checked = False
            elif tag == "BPR":
                bpr_amount = Decimal(s[2])
                bpr_date = s[16] if len(s) > 16 else ""
            elif tag == "TRN":
                trn = s[2]
                payer = s[3] if len(s) > 3 else ""
            elif tag == "N1" and s[1] == "PR" and not payer:
                payer = s[4] if len(s) > 4 and s[4] else s[2]
            elif tag in ("LX", "CLP") and trn and not checked:
                checked = True
                key = (payer, trn, bpr_amount, bpr_date)
                if key in seen:
                    skip = True
                seen.add(key)
            if skip:
                continue
            if tag == "CLP":
                close_line(current, line_cas, line_remarks)
                s = s + [""] * (5 - len(s))  # a CLP without its amounts: zero (a sample has one)
                current = Clp(s[1], s[2], Decimal(s[3] or 0), Decimal(s[4] or 0), bpr_date, order)
                order += 1
                claims.append(current)
                in_line = False
            elif tag == "SVC":
                close_line(current, line_cas, line_remarks)
                in_line = True
            elif tag == "CAS" and current is not None:
                for i in range(2, len(s), 3):
                    if s[i]:
                        item = (s[1], s[i], Decimal(s[i + 1]))
                        if in_line:
                            line_cas.append(item)
                        else:
                            current.cas.append((*item, ()))
            elif tag == "LQ" and s[1] == "HE":
                line_remarks.append(s[2])
            elif tag in ("MOA", "MIA") and current is not None:
                spots = range(3, 8) if tag == "MOA" else (5, 20, 21, 22, 23, 24)
                remarks = tuple(s[i] for i in spots if i < len(s) and s[i])
                current.cas = [(g, r, a, remarks) for g, r, a, _ in current.cas]
            elif tag in ("SE", "PLB"):
                close_line(current, line_cas, line_remarks)
                in_line = False
        close_line(current, line_cas, line_remarks)
    return claims


def denial_figures(claims: list[Clp]) -> dict[str, object]:
    kinds = carc_kinds()
    with_remark, plain = prevention()
    count, dollars = 0, Decimal(0)
    prevented = Decimal(0)
    for claim in claims:
        if claim.reversal:
            continue
        for _group, carc, amount, remarks in claim.cas:
            if kinds.get(carc, "denial") != "denial":
                continue
            count += 1
            dollars += amount
            rule = next((with_remark[(carc, r)] for r in remarks if (carc, r) in with_remark), None)
            if rule is None:
                rule = plain.get(carc)
            if rule is not None:
                prevented += amount
    return {"count": count, "dollars": dollars, "preventable": prevented}


@dataclass
class Clm:
    pcn: str
    charge: Decimal
    first: date


def read_837s(folder: Path) -> list[Clm]:
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        current: Clm | None = None
        for s in segments(path.read_bytes()):
            if s[0] == "CLM":
                current = Clm(s[1], Decimal(s[2]), date.max)
                out.append(current)
            elif s[0] == "DTP" and s[1] == "472" and current is not None:
                day = s[3].split("-")[0]
                current.first = min(current.first, date(int(day[:4]), int(day[4:6]), int(day[6:])))
    return out


def aging_total(billed: list[Clm], claims: list[Clp], as_of: date) -> dict[str, Decimal]:
    """Outstanding dollars per age bucket (docs/assess.md), all payer classes together."""
    kinds = carc_kinds()
    latest: dict[str, Clp] = {}
    for claim in sorted(claims, key=lambda c: (c.paid_on, c.order)):
        latest[claim.pcn] = claim
    buckets: dict[str, Decimal] = defaultdict(Decimal)
    for clm in billed:
        age = (as_of - clm.first).days
        if age < 0:
            continue
        answer = latest.get(clm.pcn)
        if answer is None or answer.reversal:
            left = clm.charge
        else:
            settled = sum(
                (a for _, carc, a, _ in answer.cas if kinds.get(carc, "denial") != "denial"),
                Decimal(0),
            )
            left = min(max(clm.charge - answer.paid - settled, Decimal(0)), clm.charge)
        if left <= 0:
            continue
        name = (
            "0-30"
            if age <= 30
            else "31-60"
            if age <= 60
            else "61-90"
            if age <= 90
            else ("91-120" if age <= 120 else "120+")
        )
        buckets[name] += left
    return dict(buckets)
