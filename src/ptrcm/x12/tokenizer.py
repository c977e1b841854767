"""X12 tokenizer: text or bytes to segments, delimiters read from each ISA.

Pure (no I/O). The element separator is the character after "ISA", the component
separator is ISA16, the segment terminator is the character right after ISA16 (any
character, control characters such as 0x1D included) and the repetition separator is
ISA11 when it is a delimiter (5010) rather than the 4010 standards id "U". A file may hold
several interchanges, each with its own delimiters. A bare ST..SE transaction set with no
envelope is read with the default delimiters ``* : ^ ~``.

Tolerated: a UTF-8 byte-order mark, CR/LF line breaks and indentation between segments.
A segment is a list of strings: ``segment[0]`` is its id, ``segment[1]`` its first
element. Segment numbers in messages are 1-based positions in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptrcm.x12.errors import X12Error

_BOM = "\ufeff"
_LAYOUT = "\r\n\t\v\f"
_ISA_ELEMENTS = 16


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 delimiters; ``repetition`` is empty when the interchange has none."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


DEFAULT_DELIMITERS = Delimiters()


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """A tokenized file: its segments and, per interchange, where it starts and its delimiters."""

    segments: list[list[str]]
    delimiters: tuple[tuple[int, Delimiters], ...]
    source: str | None = None

    def delimiters_at(self, index: int) -> Delimiters:
        """The delimiters in force at a 0-based segment index."""
        found = self.delimiters[0][1]
        for start, delims in self.delimiters:
            if start > index:
                break
            found = delims
        return found


def decode(data: str | bytes) -> str:
    """Text from bytes (UTF-8, else Latin-1) with a leading byte-order mark removed."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    else:
        text = data
    return text.lstrip(_BOM + " " + _LAYOUT)


def read_isa_delimiters(
    text: str, segment_number: int = 1, source: str | None = None
) -> Delimiters:
    """The delimiters an ISA segment at the start of ``text`` declares."""
    if len(text) < 4:
        raise X12Error(
            "ISA segment is cut short", segment=segment_number, segment_id="ISA", source=source
        )
    element = text[3]
    if element.isalnum() or element.isspace():
        raise X12Error(
            f"ISA element separator {element!r} is a letter, digit or space",
            segment=segment_number,
            segment_id="ISA",
            source=source,
        )
    pos = 0
    for _ in range(_ISA_ELEMENTS):
        pos = text.find(element, pos + 1)
        if pos < 0:
            raise X12Error(
                "ISA segment has fewer than 16 elements",
                segment=segment_number,
                segment_id="ISA",
                source=source,
            )
    if pos + 2 >= len(text):
        raise X12Error(
            "ISA segment ends before its component separator and segment terminator",
            segment=segment_number,
            segment_id="ISA",
            source=source,
        )
    component, terminator = text[pos + 1], text[pos + 2]
    if len({element, component, terminator}) < 3 or component.isalnum() or terminator.isalnum():
        raise X12Error(
            f"ISA delimiters are not usable: element {element!r}, component {component!r},"
            f" segment {terminator!r}",
            segment=segment_number,
            segment_id="ISA",
            source=source,
        )
    isa11 = text[:pos].split(element)[11] if text.count(element, 0, pos) >= 11 else ""
    repetition = isa11 if len(isa11) == 1 and not isa11.isalnum() and not isa11.isspace() else ""
    if repetition in (element, terminator):
        repetition = ""
    return Delimiters(element, component, repetition, terminator)


def _split(text: str, delims: Delimiters) -> list[str]:
    """Raw segment strings, whitespace between segments removed, empty ones dropped."""
    term = delims.segment
    if term != "\n" and "\n" in text:
        # Fast path: one segment per line, no CR, tab or indentation (what writers produce).
        # Splitting on terminator+newline is right when every newline follows a terminator
        # and every terminator is followed by a newline (single-character counts are cheap).
        raw = text.split(term + "\n")
        lines = len(raw) - 1
        if (
            lines == text.count("\n")
            and lines == text.count(term)
            and "\r" not in text
            and "\t" not in text
            and "\n " not in text
        ):
            return _drop_empty(raw)
    if any(ch in text for ch in _LAYOUT):
        raw = [r.strip() for r in text.split(term)]
    else:
        raw = text.split(term)
    return _drop_empty(raw)


def _drop_empty(raw: list[str]) -> list[str]:
    if raw and not raw[-1].strip():
        raw.pop()
    return [r for r in raw if r] if "" in raw else raw


def tokenize(data: str | bytes, source: str | None = None) -> Tokens:
    """Split an X12 file into segments (lists of elements) with the delimiters it declares.

    Raises ``X12Error`` when the file is empty, does not start with ISA or ST, or an ISA
    cannot carry its delimiters.
    """
    text, delims = _prepare(data, source)
    raw = _split(text, delims)
    element = delims.element
    if text.find("ISA", 3) < 0:
        return Tokens([r.split(element) for r in raw], ((0, delims),), source)
    return _tokenize_interchanges(raw, delims, source)


@dataclass(frozen=True, slots=True, eq=False)
class RawSegments:
    """Segment strings not yet split into elements, for a one-pass reader that splits each
    as it goes (so a large file's segments are never all held as lists at once)."""

    raw: list[str]
    delimiters: Delimiters
    source: str | None = None

    def tokens(self) -> Tokens:
        """The same segments split into elements (what ``tokenize`` gives)."""
        element = self.delimiters.element
        return Tokens([r.split(element) for r in self.raw], ((0, self.delimiters),), self.source)


def split_segments(data: str | bytes, source: str | None = None) -> RawSegments | None:
    """The segment strings of a file with one interchange (or a bare ST..SE set); None for
    a file of several interchanges, which ``tokenize`` reads. Raises as ``tokenize`` does."""
    text, delims = _prepare(data, source)
    if text.find("ISA", 3) >= 0:
        return None
    return RawSegments(_split(text, delims), delims, source)


def _prepare(data: str | bytes, source: str | None) -> tuple[str, Delimiters]:
    text = decode(data)
    if not text:
        raise X12Error("file is empty", source=source)
    if text.startswith("ISA"):
        return text, read_isa_delimiters(text, 1, source)
    if text.startswith("ST") and len(text) > 2 and text[2] == DEFAULT_DELIMITERS.element:
        return text, DEFAULT_DELIMITERS
    raise X12Error(
        "file does not start with an ISA interchange header or an ST transaction set",
        segment=1,
        segment_id=text[:3].strip() or None,
        source=source,
    )


def _tokenize_interchanges(raw: list[str], first: Delimiters, source: str | None) -> Tokens:
    """Several interchanges: each ISA after the first may declare other delimiters."""
    segments: list[list[str]] = []
    table: list[tuple[int, Delimiters]] = [(0, first)]
    delims = first
    i = 0
    while i < len(raw):
        item = raw[i]
        if i and item.startswith("ISA") and len(item) > 3:
            found = read_isa_delimiters(item + delims.segment, len(segments) + 1, source)
            if found != delims:
                rest = delims.segment.join(raw[i:]) + delims.segment
                found = read_isa_delimiters(rest, len(segments) + 1, source)
                raw = raw[:i] + _split(rest, found)
                delims = found
            table.append((len(segments), delims))
        segments.append(item.split(delims.element))
        i += 1
    return Tokens(segments, tuple(table), source)
