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

from collections.abc import Callable
from typing import Any

from ptrcm.x12.remit835.model import Remittance, RemittanceDocument
from ptrcm.x12.remit835.parse import READ_ERRORS, RemittanceReader
from ptrcm.x12.structure import ENVELOPE_IDS, EnvelopeWalker
from ptrcm.x12.tokenizer import RawSegments

REPEATABLE = frozenset({"DTM", "AMT", "CAS"})


class NotOnly835(Exception):
    """The file holds a transaction set that is not an 835."""


def first_set_id(raw: RawSegments) -> str:
    """ST01 of the first transaction set ("" when there is none)."""
    head = "ST" + raw.delimiters.element
    for text in raw.raw:
        if text.startswith(head):
            return text.split(raw.delimiters.element, 2)[1]
    return ""


class _OnePass:
    """The envelope side of the pass: ST opens a remittance, SE finishes it."""

    def __init__(self, raw: RawSegments) -> None:
        self.walker = EnvelopeWalker.for_raw(raw)
        self.reader = RemittanceReader()
        self.component = raw.delimiters.component
        self.remits: list[Remittance] = []
        self.header: Any = None
        w = self.walker
        self.others = {"ISA": w.on_isa, "GS": w.on_gs, "GE": w.on_ge, "IEA": w.on_iea}

    def envelope(self, index: int, seg: list[str]) -> bool:
        """An envelope segment, or any segment while no set is open; True once a set opens."""
        sid = seg[0]
        if sid == "ST":
            self.walker.on_st(index, seg)
            if seg[1] != "835":
                raise NotOnly835(seg[1])
            self.header = self.reader.begin(index, self.component)
            return True
        if sid == "SE":
            self.walker.on_se(index, seg)
            self.remits.append(self.reader.finish(self.walker.spans[-1], self.header))
            return False
        handler = self.others.get(sid)
        if handler is None:
            raise self.walker.outside(index)
        handler(index, seg)
        return False


def read_835_stream(raw: RawSegments) -> RemittanceDocument:
    """Every 835 transaction set of the file, read in one pass."""
    one = _OnePass(raw)
    reader = one.reader
    handlers = reader.handlers()
    element = raw.delimiters.element
    in_set = False
    # DTM, AMT and CAS segments repeat verbatim (dates, allowed amounts, adjustments): the
    # value of each text is built once; a repeat costs one dict lookup, no split, no parse.
    memo: dict[str, tuple[Callable[[Any], None], Any]] = {}
    for index, text in enumerate(raw.raw):
        if in_set:
            hit = memo.get(text)
            if hit is not None:
                hit[0](hit[1])
                continue
        seg = text.split(element)
        sid = seg[0]
        if not in_set or sid in ENVELOPE_IDS:
            in_set = one.envelope(index, seg)
            continue
        try:
            if sid in REPEATABLE:
                hit = memo[text] = reader.repeatable(seg)
                hit[0](hit[1])
            else:
                handler = handlers.get(sid)
                if handler is not None:
                    handler(seg, index)
        except READ_ERRORS as exc:
            reader.malformed(seg, index, str(exc))
    found = one.walker.finish(len(raw.raw))
    return RemittanceDocument(
        raw.source, tuple(one.remits), found.findings + tuple(reader.findings)
    )
