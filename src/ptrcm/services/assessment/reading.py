"""Folders of X12 files into assessment records (``domain.assessment.records``).

Every regular file under the folder (sorted by path, hidden files skipped) is read with
``read_x12``. A file that is not X12, or not of the kind the folder is for, is skipped
with a one-line reason (file name, segment, what was wrong; never patient data). An 835
transaction set whose payment was already read (payer + TRN02 + BPR02 + BPR16, as
posting uses, ``services.remittance.identity``) is a re-sent copy and is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ptrcm.domain.assessment.records import (
    Adjusted,
    AnsweredClaim,
    AnsweredLine,
    BilledClaim,
    payer_class_of,
)
from ptrcm.domain.claims import Claim
from ptrcm.errors import InputError
from ptrcm.services.remittance.identity import payer_key, payment_key
from ptrcm.x12.errors import X12Error
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import ClaimPayment, Remittance, ServicePayment
from ptrcm.x12.tokenizer import tokenize

SERVICE_DATES = ("472", "150")
CLAIM_DATES = ("232", "472")


@dataclass
class Read835:
    claims: list[AnsweredClaim] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: int = 0


@dataclass
class Read837:
    claims: list[BilledClaim] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def files_under(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        raise InputError.one(str(folder), None, None, "is not a folder")
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts):
            yield path


def _load(path: Path, folder: Path, skipped: list[str]) -> tuple[str, object] | None:
    name = str(path.relative_to(folder))
    try:
        return name, read_x12(path.read_bytes(), name)
    except X12Error as exc:
        skipped.append(f"{name}: not read ({exc})")
    except (OSError, UnicodeError) as exc:
        skipped.append(f"{name}: not read ({type(exc).__name__})")
    return None


def _rarcs(remarks: object) -> tuple[str, ...]:
    return tuple(r.code.strip().upper() for r in remarks if r.code)  # type: ignore[attr-defined]


def _line(line: ServicePayment) -> AnsweredLine:
    rarcs = _rarcs(r for r in line.remarks if r.qualifier == "HE")
    day = next((d.value for q in SERVICE_DATES for d in line.dates if d.qualifier == q), None)
    units = int(line.units) if line.units is not None and line.units == int(line.units) else 1
    return AnsweredLine(
        line.procedure.code.strip().upper(),
        tuple(m.strip().upper() for m in line.procedure.modifiers if m.strip()),
        units,
        line.charge,
        line.paid,
        line.allowed,
        day,
        tuple(
            Adjusted(a.group, a.reason.strip().upper(), a.amount, rarcs) for a in line.adjustments
        ),
    )


def _claim(remit: Remittance, claim: ClaimPayment, name: str, order: int) -> AnsweredClaim:
    lines = tuple(_line(line) for line in claim.lines)
    day = next((d.value for q in CLAIM_DATES for d in claim.dates if d.qualifier == q), None)
    if day is None:
        day = min((line.service_date for line in lines if line.service_date), default=None)
    patient = claim.name("QC")
    patient_key = "" if patient is None else (patient.id or f"{patient.last}|{patient.first}")
    remarks = _rarcs(claim.remarks)
    return AnsweredClaim(
        payer=remit.payer.name or remit.payer.id or "unnamed payer",
        payer_key=payer_key(remit),
        payer_class=payer_class_of(claim.filing_indicator),
        pcn=claim.patient_control_number,
        status=claim.status,
        charge=claim.charge,
        paid=claim.paid,
        paid_on=remit.payment.payment_date or remit.production_date,
        patient_key=patient_key,
        service_date=day,
        adjustments=tuple(
            Adjusted(a.group, a.reason.strip().upper(), a.amount, remarks)
            for a in claim.adjustments
        ),
        lines=lines,
        order=order,
        source=f"{name} segment {claim.segment}",
    )


def read_835_folder(folder: Path) -> Read835:
    out = Read835()
    seen: dict[object, str] = {}
    order = 0
    for path in files_under(folder):
        loaded = _load(path, folder, out.skipped)
        if loaded is None:
            continue
        name, document = loaded
        if getattr(document, "kind", "") != "835":
            out.skipped.append(f"{name}: a {getattr(document, 'kind', '?')} file, not an 835")
            continue
        out.files.append(name)
        for remit in document.transactions:  # type: ignore[attr-defined]
            key = payment_key(remit)
            where = f"{name} ST {remit.control_number or '?'}"
            if key is not None and key in seen:
                out.duplicates += 1
                out.skipped.append(f"{where}: the same payment as {seen[key]} (re-sent), left out")
                continue
            if key is not None:
                seen[key] = where
            for claim in remit.claims:
                out.claims.append(_claim(remit, claim, name, order))
                order += 1
    return out


def _filing_by_claim(data: bytes, name: str) -> dict[str, tuple[str, str]]:
    """CLM01 -> (SBR09 filing indicator, 2010BB NM1*PR id) of the claim's subscriber loop."""
    found: dict[str, tuple[str, str]] = {}
    filing = payer = ""
    in_claim = False  # after a CLM, SBR and NM1*PR are the other payer's (2320/2330B)
    for seg in tokenize(data, name).segments:
        if seg[0] == "HL":
            in_claim = False
        elif seg[0] == "SBR" and len(seg) > 9 and not in_claim:
            filing = seg[9]
        elif seg[0] == "NM1" and len(seg) > 9 and seg[1] == "PR" and not in_claim:
            payer = seg[9]
        elif seg[0] == "CLM" and len(seg) > 1:
            in_claim = True
            found.setdefault(seg[1], (filing, payer))
    return found


def read_837_folder(folder: Path) -> Read837:
    out = Read837()
    for path in files_under(folder):
        loaded = _load(path, folder, out.skipped)
        if loaded is None:
            continue
        name, document = loaded
        if getattr(document, "kind", "") not in ("837P", "837I"):
            out.skipped.append(f"{name}: a {getattr(document, 'kind', '?')} file, not an 837")
            continue
        out.files.append(name)
        filing = _filing_by_claim(path.read_bytes(), name)
        for claim in document.claims:  # type: ignore[attr-defined]
            if not isinstance(claim, Claim) or not claim.lines:
                continue
            indicator, payer = filing.get(claim.claim_id, ("", claim.payer_id))
            out.claims.append(
                BilledClaim(
                    claim.claim_id,
                    payer or claim.payer_id,
                    payer_class_of(indicator),
                    claim.total_charge,
                    claim.first_date,
                    name,
                )
            )
    return out
