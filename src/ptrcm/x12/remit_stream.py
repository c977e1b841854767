"""One pass over an 835 file: envelope checks and remittance reading in the same loop.

``read_x12`` takes this path for a file of one interchange whose first transaction set is
an 835. Each segment string is split into elements only when the loop reaches it and is
dropped once read, so the whole file is never held as lists of elements (the peak memory
of a large 835 is the text, the segment strings and the typed result). The envelope is
checked by the same ``EnvelopeWalker`` that ``split_envelope`` drives, and the claims are
read by the same ``RemittanceReader`` handlers, so findings and errors are the ones the
two-pass path gives.

A transaction set other than an 835 raises ``NotOnly835``; the caller then reads the file
the general way (which reports a file that mixes kinds).
"""

from __future__ import annotations

from ptrcm.x12.remit835 import READ_ERRORS, RemittanceReader
from ptrcm.x12.remit_model import Remittance, RemittanceDocument
from ptrcm.x12.structure import ENVELOPE_IDS, EnvelopeWalker
from ptrcm.x12.tokenizer import RawSegments


class NotOnly835(Exception):
    """The file holds a transaction set that is not an 835."""


def first_set_id(raw: RawSegments) -> str:
    """ST01 of the first transaction set ("" when there is none)."""
    head = "ST" + raw.delimiters.element
    for text in raw.raw:
        if text.startswith(head):
            return text.split(raw.delimiters.element, 2)[1]
    return ""


def read_835_stream(raw: RawSegments) -> RemittanceDocument:
    """Every 835 transaction set of the file, read in one pass."""
    walker = EnvelopeWalker.for_raw(raw)
    reader = RemittanceReader()
    handlers = reader.handlers()
    envelope = {
        "ISA": walker.on_isa, "GS": walker.on_gs, "GE": walker.on_ge, "IEA": walker.on_iea,
    }  # fmt: skip
    component, element = raw.delimiters.component, raw.delimiters.element
    remits: list[Remittance] = []
    header = None
    in_set = False
    for index, text in enumerate(raw.raw):
        seg = text.split(element)
        sid = seg[0]
        if in_set:
            handler = handlers.get(sid)
            if handler is not None:
                try:
                    handler(seg, index)
                except READ_ERRORS as exc:
                    reader.malformed(seg, index, str(exc))
                continue
            if sid not in ENVELOPE_IDS:
                continue
        if sid == "ST":
            walker.on_st(index, seg)
            if seg[1] != "835":
                raise NotOnly835(seg[1])
            header = reader.begin(index, component)
            in_set = True
        elif sid == "SE":
            walker.on_se(index, seg)
            if header is not None:
                remits.append(reader.finish(walker.spans[-1], header))
            in_set = False
        elif sid in envelope:
            envelope[sid](index, seg)
        else:
            raise walker.outside(index)
    found = walker.finish(len(raw.raw))
    return RemittanceDocument(raw.source, tuple(remits), found.findings + tuple(reader.findings))
