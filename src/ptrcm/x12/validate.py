"""Structural validation of an X12 file: envelope counts and control numbers, reader
findings (835 balancing, skipped claims), and pyx12's verdict when pyx12 is installed."""

from __future__ import annotations

from dataclasses import dataclass

from ptrcm.x12.errors import Finding, X12Error
from ptrcm.x12.pyx12_check import Pyx12NoMap, pyx12_available, pyx12_errors
from ptrcm.x12.read import X12Document, read_x12, transaction_kind
from ptrcm.x12.structure import split_envelope
from ptrcm.x12.tokenizer import tokenize


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What ``ptrcm x12 validate`` found; ``pyx12`` is None when pyx12 is not installed."""

    kind: str
    findings: tuple[Finding, ...]
    pyx12: tuple[str, ...] | None
    pyx12_note: str = ""

    @property
    def ok(self) -> bool:
        """No error-severity finding and no pyx12 error."""
        return not any(f.severity == "error" for f in self.findings) and not self.pyx12


def normalized_text(data: str | bytes) -> str:
    """The file re-joined one segment per line, BOM and indentation removed (for pyx12)."""
    tokens = tokenize(data)
    out: list[str] = []
    starts = dict(tokens.delimiters)
    delims = tokens.delimiters[0][1]
    for index, seg in enumerate(tokens.segments):
        delims = starts.get(index, delims)
        out.append(delims.element.join(seg) + delims.segment + "\n")
    return "".join(out)


def validate_x12(
    data: str | bytes, source: str | None = None, use_pyx12: bool = True
) -> ValidationReport:
    """Read the file (``X12Error`` when unreadable) and gather every finding."""
    envelope = split_envelope(tokenize(data, source))  # unreadable: X12Error names the segment
    findings: tuple[Finding, ...]
    try:
        document: X12Document = read_x12(data, source)
        kind, findings = document.kind, document.findings
    except X12Error as exc:
        if exc.segment is not None:
            raise
        # A reader (the 837 reader) gave up on a file whose envelope is readable: report it
        # beside the envelope findings and let pyx12 say what is wrong.
        kind = transaction_kind(envelope.transactions[0])
        findings = (*envelope.findings, Finding("error", exc.reason))
    verdict: tuple[str, ...] | None = None
    note = ""
    if not use_pyx12:
        note = "not run"
    elif not pyx12_available():
        note = "not installed (pip install pyx12)"
    elif tokenize(data).segments[0][0] != "ISA":
        note = "not run: the file has no ISA envelope"
    else:
        try:
            verdict = tuple(dict.fromkeys(pyx12_errors(normalized_text(data))))
        except Pyx12NoMap as exc:
            note = f"cannot validate this version ({exc})"
    return ValidationReport(kind, findings, verdict, note)
