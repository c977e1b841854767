"""Envelope structure of a tokenized X12 file: interchanges, groups, transaction sets.

``split_envelope`` finds every ST..SE transaction set (with its GS and ISA when the file
has an envelope) and checks the envelope: SE01 segment counts, SE02/ST02, GE01/GE02,
IEA01/IEA02 control numbers and counts, ISA/GS dates. Count and control-number
mismatches are findings; a transaction set without its SE, or a segment outside every
transaction set, makes the file unreadable (``X12Error``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptrcm.x12.errors import Finding, Severity, X12Error
from ptrcm.x12.tokenizer import Delimiters, RawSegments, Tokens

ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})


@dataclass(frozen=True, slots=True)
class TransactionSpan:
    """One transaction set: its ST..SE segments (0-based inclusive indexes) and envelope ids."""

    set_id: str
    control: str
    version: str
    functional_id: str
    group_version: str
    start: int
    end: int
    delimiters: Delimiters
    interchange_control: str = ""
    group_control: str = ""


@dataclass(frozen=True, slots=True)
class Envelope:
    """Every transaction set of a file and the findings about its envelope."""

    transactions: tuple[TransactionSpan, ...]
    findings: tuple[Finding, ...]


def element(segment: list[str], index: int) -> str:
    """Element ``index`` of a segment, "" when the segment is shorter."""
    return segment[index] if index < len(segment) else ""


def _valid_date(text: str) -> bool:
    if len(text) not in (6, 8) or not text.isdigit():
        return False
    year = int(text[:-4]) + (2000 if len(text) == 6 else 0)
    try:
        date(year, int(text[-4:-2]), int(text[-2:]))
    except ValueError:
        return False
    return True


class EnvelopeWalker:
    """Checks the envelope segment by segment and collects the transaction spans.

    ``walk`` drives it over a tokenized file; a one-pass reader (``remit_stream``) instead
    calls ``on_isa`` ... ``on_iea`` itself for the envelope segments, raises ``outside`` for
    any other segment while no set is open, and calls ``finish`` at the end.
    """

    def __init__(self, tokens: Tokens, raw: RawSegments | None = None) -> None:
        self.tokens = tokens
        self.raw = raw
        self.source = tokens.source
        self.findings: list[Finding] = []
        self.spans: list[TransactionSpan] = []
        self.isa: tuple[int, list[str]] | None = None
        self.gs: tuple[int, list[str]] | None = None
        self.st: tuple[int, list[str]] | None = None
        self.groups_in_isa = 0
        self.sets_in_gs = 0

    @classmethod
    def for_raw(cls, raw: RawSegments) -> EnvelopeWalker:
        """A walker over segment strings not yet split (one interchange's delimiters)."""
        return cls(Tokens([], ((0, raw.delimiters),), raw.source), raw)

    def segment_id(self, index: int) -> str:
        """The id of the segment at a 0-based index."""
        if self.raw is not None:
            return self.raw.raw[index].split(self.raw.delimiters.element, 1)[0]
        return self.tokens.segments[index][0]

    def error(self, index: int, message: str) -> X12Error:
        seg_id = self.segment_id(index)
        return X12Error(message, segment=index + 1, segment_id=seg_id, source=self.source)

    def outside(self, index: int) -> X12Error:
        """The error for a segment outside every transaction set."""
        return self.error(index, "segment outside a transaction set (no ST before it)")

    def find(self, index: int, message: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(severity, message, index + 1, self.segment_id(index)))

    def walk(self) -> Envelope:
        segments = self.tokens.segments
        for index, seg in enumerate(segments):
            sid = seg[0]
            if sid in ENVELOPE_IDS:
                getattr(self, "on_" + sid.lower())(index, seg)
            elif self.st is None:
                raise self.outside(index)
        return self.finish(len(segments))

    def finish(self, count: int) -> Envelope:
        """The envelope once all ``count`` segments were seen; raises for an open set."""
        last = count - 1
        if self.st is not None:
            raise self.error(self.st[0], f"transaction set {element(self.st[1], 2)!r} has no SE")
        if self.gs is not None:
            self.find(last, f"functional group {element(self.gs[1], 6)!r} has no GE")
        if self.isa is not None:
            self.find(last, f"interchange {element(self.isa[1], 13)!r} has no IEA")
        if not self.spans:
            raise X12Error("file holds no transaction set (no ST..SE)", source=self.source)
        return Envelope(tuple(self.spans), tuple(self.findings))

    def on_isa(self, index: int, seg: list[str]) -> None:
        if self.st is not None:
            raise self.error(index, f"ISA inside transaction set {element(self.st[1], 2)!r}")
        if self.isa is not None:
            self.find(index, f"interchange {element(self.isa[1], 13)!r} has no IEA")
        if len(seg) < 17:
            raise self.error(index, f"ISA has {len(seg) - 1} elements, 16 expected")
        if not _valid_date(seg[9]):
            self.find(index, f"ISA09 {seg[9]!r} is not a valid YYMMDD date")
        self.isa, self.gs, self.groups_in_isa = (index, seg), None, 0

    def on_gs(self, index: int, seg: list[str]) -> None:
        if self.st is not None:
            raise self.error(index, f"GS inside transaction set {element(self.st[1], 2)!r}")
        if self.gs is not None:
            self.find(index, f"functional group {element(self.gs[1], 6)!r} has no GE")
        if not _valid_date(element(seg, 4)):
            self.find(index, f"GS04 {element(seg, 4)!r} is not a valid CCYYMMDD date")
        self.gs, self.sets_in_gs = (index, seg), 0
        self.groups_in_isa += 1

    def on_st(self, index: int, seg: list[str]) -> None:
        if self.st is not None:
            raise self.error(self.st[0], f"transaction set {element(self.st[1], 2)!r} has no SE")
        if len(seg) < 3 or not seg[1] or not seg[2]:
            raise self.error(index, "ST needs ST01 (set id) and ST02 (control number)")
        self.st = (index, seg)
        self.sets_in_gs += 1

    def on_se(self, index: int, seg: list[str]) -> None:
        if self.st is None:
            raise self.error(index, "SE without an ST before it")
        st_index, st = self.st
        count = index - st_index + 1
        if element(seg, 1) != str(count):
            self.find(index, f"SE01 says {element(seg, 1)!r} segments, the set has {count}")
        if element(seg, 2) != st[2]:
            self.find(index, f"SE02 {element(seg, 2)!r} does not match ST02 {st[2]!r}")
        gs = self.gs[1] if self.gs else []
        self.spans.append(
            TransactionSpan(
                set_id=st[1],
                control=st[2],
                version=element(st, 3) or element(gs, 8),
                functional_id=element(gs, 1),
                group_version=element(gs, 8),
                start=st_index,
                end=index,
                delimiters=self.tokens.delimiters_at(st_index),
                interchange_control=element(self.isa[1], 13) if self.isa else "",
                group_control=element(gs, 6),
            )
        )
        self.st = None

    def on_ge(self, index: int, seg: list[str]) -> None:
        if self.st is not None:
            raise self.error(self.st[0], f"transaction set {element(self.st[1], 2)!r} has no SE")
        if self.gs is None:
            self.find(index, "GE without a GS before it")
            return
        if element(seg, 1) != str(self.sets_in_gs):
            self.find(index, f"GE01 says {element(seg, 1)!r} sets, the group has {self.sets_in_gs}")
        if element(seg, 2) != element(self.gs[1], 6):
            self.find(
                index, f"GE02 {element(seg, 2)!r} does not match GS06 {element(self.gs[1], 6)!r}"
            )
        self.gs = None

    def on_iea(self, index: int, seg: list[str]) -> None:
        if self.st is not None:
            raise self.error(self.st[0], f"transaction set {element(self.st[1], 2)!r} has no SE")
        if self.gs is not None:
            self.find(index, f"functional group {element(self.gs[1], 6)!r} has no GE")
            self.gs = None
        if self.isa is None:
            self.find(index, "IEA without an ISA before it")
            return
        if element(seg, 1) != str(self.groups_in_isa):
            self.find(
                index,
                f"IEA01 says {element(seg, 1)!r} groups, the interchange has {self.groups_in_isa}",
            )
        if element(seg, 2) != self.isa[1][13]:
            self.find(index, f"IEA02 {element(seg, 2)!r} does not match ISA13 {self.isa[1][13]!r}")
        self.isa = None


def split_envelope(tokens: Tokens) -> Envelope:
    """Every transaction set of a tokenized file, with findings about its envelope."""
    if not tokens.segments:
        raise X12Error("file holds no segments", source=tokens.source)
    return EnvelopeWalker(tokens).walk()
