"""One pass over an 835 file: envelope checks and remittance reading in the same loop.

``read_x12`` takes this path for a file of one interchange whose first transaction set is
an 835. Each segment string is split into elements only when the loop reaches it and is
dropped once read, so the whole file is never held as lists of elements (the peak memory
of a large 835 is the text, the segment strings and the typed result). The envelope is
checked by the same ``EnvelopeWalker`` that ``split_envelope`` drives, and the claims are
read by the same ``RemittanceReader`` handlers, so findings and errors are the ones the
two-pass path gives.

``Stream835`` is that loop as a generator of events, for a reader that must not hold the
file's claims at all (posting a large 835): each transaction set is a ``SetStart`` (its
header, no claims), its claims in ``SetClaims`` chunks as they are read, and a ``SetEnd``
(its PLB and its last claims). Segments come from any iterable of segment strings
(``ptrcm.x12.blocks.segment_texts`` reads a file a block at a time); a finding's or
error's segment id is kept for the envelope segments only, so nothing grows with the file
except the findings themselves.

A transaction set other than an 835 raises ``NotOnly835``; the caller then reads the file
the general way (which reports a file that mixes kinds).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ptrcm.x12.errors import Finding
from ptrcm.x12.remit835.model import ClaimPayment, Remittance, RemittanceDocument
from ptrcm.x12.remit835.parse import READ_ERRORS, RemittanceReader
from ptrcm.x12.structure import ENVELOPE_IDS, EnvelopeWalker
from ptrcm.x12.tokenizer import Delimiters, RawSegments, Tokens

REPEATABLE = frozenset({"DTM", "AMT", "CAS"})
# Segment texts remembered for DTM/AMT/CAS repeats; cleared past this many distinct texts.
MEMO_LIMIT = 50_000


class NotOnly835(Exception):
    """The file holds a transaction set that is not an 835."""


@dataclass(frozen=True, slots=True)
class SetStart:
    """A transaction set's header (payment, trace, parties), before any of its claims."""

    head: Remittance


@dataclass(frozen=True, slots=True)
class SetClaims:
    """The next claims of the open transaction set, in file order."""

    claims: list[ClaimPayment]


@dataclass(frozen=True, slots=True)
class SetEnd:
    """The set once its SE was read: ``remit.provider_adjustments`` are its PLB. With a
    ``chunk`` its claims were all handed out in ``SetClaims`` before and ``remit.claims`` is
    empty; without one, ``remit`` is the whole set and no ``SetClaims`` came."""

    remit: Remittance


Event = SetStart | SetClaims | SetEnd


def first_set_id(raw: RawSegments) -> str:
    """ST01 of the first transaction set ("" when there is none)."""
    head = "ST" + raw.delimiters.element
    for text in raw.raw:
        if text.startswith(head):
            return text.split(raw.delimiters.element, 2)[1]
    return ""


class StreamWalker(EnvelopeWalker):
    """An envelope walker over segments it never holds: it names segments by the ids of
    the envelope segments (and the current one) the reader notes in ``ids``."""

    def __init__(self, delimiters: Delimiters, source: str | None) -> None:
        super().__init__(Tokens([], ((0, delimiters),), source))
        self.ids: dict[int, str] = {}

    def segment_id(self, index: int) -> str:
        return self.ids.get(index, "")


class Stream835:
    """The one-pass reader as events (see the module docstring). ``chunk`` claims at most
    are held before a ``SetClaims``; None hands a set's claims out only at its SE."""

    def __init__(
        self, walker: EnvelopeWalker, delimiters: Delimiters, source: str | None,
        chunk: int | None = None,
    ) -> None:  # fmt: skip
        self.walker = walker
        self.ids = walker.ids if isinstance(walker, StreamWalker) else None
        self.delimiters, self.source, self.chunk = delimiters, source, chunk
        self.reader = RemittanceReader()
        self.header: Any = None
        self.started = False
        self.bad_segments: set[int] = set()  # CLP/SVC segments with a finding, so far
        self._seen = 0  # reader findings already looked at for ``bad_segments``
        self._balance_seen = 0
        self.findings: tuple[Finding, ...] = ()  # the file's, once ``events`` is exhausted
        w = walker
        self.others = {"ISA": w.on_isa, "GS": w.on_gs, "GE": w.on_ge, "IEA": w.on_iea}

    def events(self, texts: Iterable[str]) -> Iterator[Event]:
        """Read every segment of ``texts``; raises ``X12Error`` as ``read_x12`` would."""
        reader, chunk, ids = self.reader, self.chunk, self.ids
        handlers = reader.handlers()
        element = self.delimiters.element
        in_set = False
        count = 0
        last = ""
        # DTM, AMT and CAS segments repeat verbatim (dates, allowed amounts, adjustments):
        # the value of each text is built once; a repeat costs one dict lookup, no split.
        memo: dict[str, tuple[Callable[[Any], None], Any]] = {}
        for index, text in enumerate(texts):
            count = index + 1
            last = text
            if in_set:
                hit = memo.get(text)
                if hit is not None:
                    hit[0](hit[1])
                    continue
            seg = text.split(element)
            sid = seg[0]
            if not in_set or sid in ENVELOPE_IDS:
                in_set = yield from self._envelope(index, seg, in_set)
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
            if chunk is not None and sid == "CLP" and len(reader.claims) >= chunk:
                yield from self._claims(reader.drain())
                if len(memo) > MEMO_LIMIT:
                    memo.clear()
        if ids is not None and count:
            ids[count - 1] = last.split(element, 1)[0]
        found = self.walker.finish(count)
        self.findings = found.findings + tuple(reader.findings)

    def _envelope(self, index: int, seg: list[str], in_set: bool) -> Generator[Event, None, bool]:
        """An envelope segment, or any segment while no set is open (the events of a set
        its SE ends); returns whether a set is open after it."""
        sid = seg[0]
        if self.ids is not None:
            self.ids[index] = sid
        if sid == "SE" and in_set:
            yield from self._end(index, seg)
            return False
        if sid == "ST":
            self.walker.on_st(index, seg)
            if seg[1] != "835":
                raise NotOnly835(seg[1])
            self.header = self.reader.begin(index, self.delimiters.component)
            self.started = False
            self._balance_seen = 0  # ``begin`` started the set's own balance list
            return True
        handler = self.others.get(sid)
        if handler is None:
            if sid == "SE":
                self.walker.on_se(index, seg)  # raises: no set is open
            raise self.walker.outside(index)
        handler(index, seg)
        return False

    def _claims(self, claims: list[ClaimPayment]) -> Iterator[Event]:
        reader = self.reader
        if not self.started:
            self.started = True
            st_index, st = self.walker.st or (0, ["ST", "", ""])
            yield SetStart(reader.head(st_index, st[2]))
        self._note_bad()
        reader.trim_caches()
        if claims:
            yield SetClaims(claims)

    def _end(self, index: int, seg: list[str]) -> Iterator[Event]:
        self.walker.on_se(index, seg)
        remit = self.reader.finish(self.walker.spans[-1], self.header)
        if not self.started:
            self.started = True
            yield SetStart(replace(remit, claims=(), provider_adjustments=()))
        if self.chunk is None:
            self._note_bad()
            yield SetEnd(remit)
            return
        yield from self._claims(list(remit.claims))
        yield SetEnd(replace(remit, claims=()))

    def _note_bad(self) -> None:
        """Add the CLP and SVC segments of the findings made since the last call."""
        reader, bad = self.reader, self.bad_segments
        for source, seen in ((reader.findings, self._seen), (reader.balance, self._balance_seen)):
            for f in source[seen:]:
                if f.segment_id in ("CLP", "SVC") and f.segment:
                    bad.add(f.segment)
        self._seen, self._balance_seen = len(reader.findings), len(reader.balance)


def read_835_stream(raw: RawSegments) -> RemittanceDocument:
    """Every 835 transaction set of the file, read in one pass."""
    stream = Stream835(EnvelopeWalker.for_raw(raw), raw.delimiters, raw.source)
    remits = tuple(e.remit for e in stream.events(raw.raw) if isinstance(e, SetEnd))
    return RemittanceDocument(raw.source, remits, stream.findings)
