"""An X12 file read a block at a time: its segment strings without the whole text in memory.

``scan`` reads the file once (in ``BLOCK``-sized pieces) for what must be known before the
first segment is used: its SHA-256, its encoding (UTF-8, else Latin-1, as
``ptrcm.x12.tokenizer.decode`` chooses), its delimiters, how its segments are laid out,
whether it is one interchange, the ST01 of its sets and its TRN02 traces. ``segment_texts``
then yields the segment strings in order, exactly the ones ``tokenizer.split_segments``
would give for the whole text (same whitespace rules: the layout is decided from the whole
file, as there).

``FileScan.streamable`` is false for what only the in-memory reader handles (several
interchanges, a set that is not an 835, a header the tokenizer refuses): the caller then
reads the file whole, which also reports the error. The scan may say "not streamable" for
a file the in-memory reader would stream (a segment starting with blanks and "ISA", say);
never the other way round.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ptrcm.x12.errors import X12Error
from ptrcm.x12.remit835.model import TRACE_LENGTH
from ptrcm.x12.tokenizer import DEFAULT_DELIMITERS, Delimiters, read_isa_delimiters

BLOCK = 1 << 20
_BOM = "\ufeff"
_LAYOUT = "\r\n\t\v\f"
_LEADING = _BOM + " " + _LAYOUT
_HEAD = 4096  # enough text for an ISA segment and its delimiters
_TAIL = 256  # text kept from the previous block so a pattern across blocks is found


@dataclass(frozen=True, slots=True)
class FileScan:
    """What one read of the file found (see the module docstring)."""

    sha256: str
    encoding: str
    delimiters: Delimiters | None
    layout: str  # "lines" (one segment per line), "strip" (blanks trimmed) or "plain"
    interchanges: int
    set_ids: frozenset[str]
    traces: tuple[str, ...]

    @property
    def streamable(self) -> bool:
        """One interchange (or a bare set) of 835 sets only, with usable delimiters."""
        return (
            self.delimiters is not None
            and self.interchanges <= 1
            and self.set_ids == frozenset({"835"})
        )


def _texts(path: Path, encoding: str, sha: hashlib._Hash | None = None) -> Iterator[str]:
    """The decoded text in pieces, leading byte-order mark and blanks removed; ``sha``,
    when given, is fed every byte of the file. A byte the encoding refuses raises
    ``UnicodeDecodeError`` (never with Latin-1)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    leading = True
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            if sha is not None:
                sha.update(block)
            text = decoder.decode(block)
            if leading:
                text = text.lstrip(_LEADING)
                leading = not text
            if text:
                yield text
    rest = decoder.decode(b"", final=True)
    if leading:
        rest = rest.lstrip(_LEADING)
    if rest:
        yield rest


def _delimiters(head: str, source: str | None) -> Delimiters | None:
    if head.startswith("ISA"):
        try:
            return read_isa_delimiters(head, 1, source)
        except X12Error:
            return None  # the in-memory reader reports it
    if head.startswith("ST") and len(head) > 2 and head[2] == DEFAULT_DELIMITERS.element:
        return DEFAULT_DELIMITERS
    return None


def scan(path: Path) -> FileScan:
    """Read the file once (see ``FileScan``): as UTF-8, as ``decode`` tries first, and
    again as Latin-1 only if a byte is not UTF-8."""
    try:
        return _scan(path, "utf-8")
    except UnicodeDecodeError:
        return _scan(path, "latin-1")


def _scan(path: Path, encoding: str) -> FileScan:
    sha = hashlib.sha256()
    texts = _texts(path, encoding, sha)
    head: list[str] = []  # the first pieces, until they hold the ISA segment
    for text in texts:
        head.append(text)
        if sum(map(len, head)) >= _HEAD:
            break
    delims = _delimiters("".join(head), str(path))
    if delims is None:
        for _ in texts:
            pass  # the rest of the file, for its SHA-256 and its encoding
        return FileScan(sha.hexdigest(), encoding, None, "plain", 0, frozenset(), ())
    layout = _Layout(delims)
    for text in itertools.chain(head, texts):
        layout.feed(text)
    return layout.found(sha.hexdigest(), encoding)


class _Layout:
    """What the file's text shows of its layout, its interchanges, set ids and traces,
    fed one piece at a time."""

    def __init__(self, delims: Delimiters) -> None:
        term, el = delims.segment, delims.element
        t, e = re.escape(term), re.escape(el)
        # a segment that starts (after blanks) with ISA, ST or TRN; ST01 and TRN02 captured
        value = rf"([^{e}{t}]*)(?=[{e}{t}])"  # an element, known complete by what follows it
        self.starts = re.compile(rf"{t}\s*(?:(ISA)(?={e})|ST{e}{value}|TRN{e}[^{e}{t}]*{e}{value})")
        self.delims, self.term = delims, term
        self.newlines = self.terms = self.term_newlines = self.interchanges = 0
        self.cr = self.tab = self.newline_blank = self.layout = False
        self.set_ids: set[str] = set()
        self.traces: dict[str, None] = {}
        self.last = ""  # the previous piece's last character: a pair split between pieces
        self.tail = term  # the first segment is read as if a terminator came before it

    def feed(self, text: str) -> None:
        term = self.term
        joined = self.last + text
        self.newlines += text.count("\n")
        self.terms += text.count(term)
        self.term_newlines += joined.count(term + "\n")
        self.newline_blank = self.newline_blank or "\n " in joined
        self.cr = self.cr or "\r" in text
        self.tab = self.tab or "\t" in text
        self.layout = self.layout or any(ch in text for ch in _LAYOUT)
        window = self.tail + text
        for m in self.starts.finditer(window):
            if m.end() < len(self.tail):
                continue  # its closing separator was in the previous window: found there
            if m.group(1):
                self.interchanges += 1
            elif m.group(2) is not None:
                self.set_ids.add(m.group(2))
            elif m.group(3) is not None:
                # as the reader will see it: a trailing blank may be trimmed by the layout
                trace = m.group(3)
                self.traces[trace[:TRACE_LENGTH]] = self.traces[trace.strip()[:TRACE_LENGTH]] = None
        self.last, self.tail = text[-1:], window[-_TAIL:]

    def found(self, sha: str, encoding: str) -> FileScan:
        # what ``tokenizer._split`` decides from the whole text
        lines = (
            self.term != "\n" and self.newlines > 0
            and self.newlines == self.terms == self.term_newlines
            and not (self.cr or self.tab or self.newline_blank)
        )  # fmt: skip
        kind = "lines" if lines else ("strip" if self.layout else "plain")
        return FileScan(
            sha, encoding, self.delims, kind, self.interchanges,
            frozenset(self.set_ids), tuple(self.traces),
        )  # fmt: skip


def segment_texts(path: Path, found: FileScan) -> Iterator[str]:
    """The file's segment strings in order, as ``tokenizer.split_segments`` gives them."""
    assert found.delimiters is not None
    term = found.delimiters.segment
    layout = found.layout
    carry = ""
    first = True
    for text in _texts(path, found.encoding):
        pieces = (carry + text).split(term)
        carry = pieces.pop()
        for piece in pieces:
            if layout == "lines":
                if not first:
                    piece = piece[1:]  # the newline after the terminator
            elif layout == "strip":
                piece = piece.strip()
            first = False
            if piece:
                yield piece
    if layout == "lines" and not first:
        carry = carry[1:]
    elif layout == "strip":
        carry = carry.strip()
    if carry.strip():
        yield carry
