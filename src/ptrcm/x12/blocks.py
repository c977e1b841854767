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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ptrcm.x12.errors import X12Error
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


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            yield block


def _texts(path: Path, encoding: str) -> Iterator[str]:
    """The decoded text in pieces, leading byte-order mark and blanks removed."""
    decoder = codecs.getincrementaldecoder(encoding)()
    leading = True
    for block in _blocks(path):
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


def _encoding(path: Path) -> tuple[str, str]:
    """SHA-256 of the bytes and the encoding ``decode`` would choose."""
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    for block in _blocks(path):
        sha.update(block)
        if utf8:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return sha.hexdigest(), "utf-8" if utf8 else "latin-1"


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
    """Read the file once (see ``FileScan``)."""
    sha, encoding = _encoding(path)
    head = ""
    for text in _texts(path, encoding):
        head += text
        if len(head) >= _HEAD:
            break
    delims = _delimiters(head, str(path))
    if delims is None:
        return FileScan(sha, encoding, None, "plain", 0, frozenset(), ())
    return _layout(path, sha, encoding, delims)


def _layout(path: Path, sha: str, encoding: str, delims: Delimiters) -> FileScan:
    term, el = delims.segment, delims.element
    t, e = re.escape(term), re.escape(el)
    # a segment that starts (after blanks) with ISA, ST or TRN; ST01 and TRN02 captured
    value = rf"([^{e}{t}]*)(?=[{e}{t}])"  # an element, known complete by what follows it
    starts = re.compile(rf"{t}\s*(?:(ISA)(?={e})|ST{e}{value}|TRN{e}[^{e}{t}]*{e}{value})")
    newlines = terms = term_newlines = interchanges = 0
    cr = tab = newline_blank = layout = False
    set_ids: set[str] = set()
    traces: dict[str, None] = {}
    last = ""  # the previous piece's last character: a pair split between pieces counts
    tail = term  # the first segment is read as if a terminator came before it
    for text in _texts(path, encoding):
        joined = last + text
        newlines += text.count("\n")
        terms += text.count(term)
        term_newlines += joined.count(term + "\n")
        newline_blank = newline_blank or "\n " in joined
        cr = cr or "\r" in text
        tab = tab or "\t" in text
        layout = layout or any(ch in text for ch in _LAYOUT)
        window = tail + text
        for m in starts.finditer(window):
            if m.end() < len(tail):
                continue  # its closing separator was in the previous window: found there
            if m.group(1):
                interchanges += 1
            elif m.group(2) is not None:
                set_ids.add(m.group(2))
            elif m.group(3) is not None:
                # as the reader will see it: a trailing blank may be trimmed by the layout
                traces[m.group(3)[:50]] = traces[m.group(3).strip()[:50]] = None
        last, tail = text[-1:], window[-_TAIL:]
    # what ``tokenizer._split`` decides from the whole text
    lines = (
        term != "\n" and newlines > 0 and newlines == terms == term_newlines
        and not (cr or tab or newline_blank)
    )  # fmt: skip
    kind = "lines" if lines else ("strip" if layout else "plain")
    return FileScan(sha, encoding, delims, kind, interchanges, frozenset(set_ids), tuple(traces))


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
