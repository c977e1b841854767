"""An 835 file as a stream of transaction-set events, for a reader that must not hold it.

``RemittanceSource.open`` reads the file once (``ptrcm.x12.blocks.scan``: SHA-256,
encoding, layout, set ids, TRN02 traces). A file of one interchange of 835 sets is then
read by ``events`` a block at a time (``Stream835`` over ``blocks.segment_texts``): at most
``chunk`` claims are held at once, whatever the file's size. Any other file is read whole
by ``read_x12`` (which reports what it cannot read, or that it is not an 835) and its
document replayed as the same events. Either way the events, the findings and the errors
are the ones ``read_x12`` gives for the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ptrcm.x12.blocks import FileScan, scan, segment_texts
from ptrcm.x12.errors import Finding
from ptrcm.x12.read import X12Document, collector_paused, read_x12
from ptrcm.x12.remit835.model import TRACE_LENGTH, RemittanceDocument
from ptrcm.x12.remit835.stream import (
    Event,
    SetClaims,
    SetEnd,
    SetStart,
    Stream835,
    StreamWalker,
)


@dataclass(slots=True)
class RemittanceSource:
    """One 835 file to read as events; ``document`` is set when it was read whole."""

    path: Path
    found: FileScan
    document: X12Document | None = None
    bad_segments: set[int] = field(default_factory=set)  # CLP/SVC with a finding, so far
    findings: tuple[Finding, ...] = ()  # the file's, once ``events`` is exhausted

    @classmethod
    def open(cls, path: Path) -> RemittanceSource:
        """The file scanned; read whole (raising ``X12Error`` as ``read_x12`` does) unless
        it can be streamed. ``document`` is then what ``read_x12`` gave, of any kind."""
        found = scan(path)
        if found.streamable:
            return cls(path, found)
        document = read_x12(path.read_bytes(), source=str(path))
        source = cls(path, found, document)
        if isinstance(document, RemittanceDocument):
            source.bad_segments = {
                f.segment for f in document.findings
                if f.segment_id in ("CLP", "SVC") and f.segment
            }  # fmt: skip
        return source

    @property
    def sha256(self) -> str:
        return self.found.sha256

    @property
    def traces(self) -> tuple[str, ...]:
        """TRN02 of every set (as stored: at most 50 characters); for a streamed file a few
        more may appear (spellings the reader would trim), never fewer."""
        if isinstance(self.document, RemittanceDocument):
            return tuple(
                r.trace.number[:TRACE_LENGTH]
                for r in self.document.transactions
                if r.trace is not None and r.trace.number
            )
        return self.found.traces

    def events(self, chunk: int) -> Iterator[Event]:
        """Every transaction set as ``SetStart``, ``SetClaims`` of at most ``chunk`` claims
        and ``SetEnd`` (with ``claims`` empty). Raises ``X12Error`` for an unreadable file,
        possibly after some events: the caller's transaction must roll back then."""
        if self.document is not None:
            yield from self._replay(chunk)
            return
        assert self.found.delimiters is not None
        stream = Stream835(
            StreamWalker(self.found.delimiters, str(self.path)), self.found.delimiters,
            str(self.path), chunk,
        )  # fmt: skip
        self.bad_segments = stream.bad_segments
        events = stream.events(segment_texts(self.path, self.found))
        while True:
            # the reader builds many small acyclic objects: the cyclic collector paused
            # while it reads (as ``read_x12`` does), running while the caller posts
            with collector_paused():
                event = next(events, None)
            if event is None:
                break
            yield event
        self.findings = stream.findings

    def _replay(self, chunk: int) -> Iterator[Event]:
        document = self.document
        assert isinstance(document, RemittanceDocument)
        for remit in document.transactions:
            yield SetStart(replace(remit, claims=(), provider_adjustments=()))
            claims = remit.claims
            for start in range(0, len(claims), chunk):
                yield SetClaims(list(claims[start : start + chunk]))
            yield SetEnd(replace(remit, claims=()))
        self.findings = document.findings
