"""``read_x12``: any supported X12 file into its typed document.

The transaction type comes from ST01, refined by ST03/GS08 (837 X222 professional vs X223
institutional; 277 X214 claim acknowledgment vs X212 claim status). 835, 999, 277/277CA and
271 have typed readers here; 837P/837I are read into claims by ``ptrcm.x12.claim837.read``;
270, 276 and 278 come back as a segment-level ``GenericDocument``.

Unreadable files raise ``X12Error`` naming the file, segment number and id; defects in a
readable file are ``Finding`` values on the document (``document.findings``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeAlias

from ptrcm.x12.ack999.parse import AckDocument, read_999
from ptrcm.x12.claim837.read import read_claims
from ptrcm.x12.eligibility.benefits271 import BenefitsDocument, read_271
from ptrcm.x12.errors import Finding, X12Error
from ptrcm.x12.generic import ClaimsDocument, GenericDocument, GenericTransaction
from ptrcm.x12.remit835.model import RemittanceDocument
from ptrcm.x12.remit835.parse import RemittanceReader
from ptrcm.x12.remit835.stream import NotOnly835, first_set_id, read_835_stream
from ptrcm.x12.status277.parse import StatusDocument, read_277
from ptrcm.x12.structure import Envelope, TransactionSpan, split_envelope
from ptrcm.x12.tokenizer import Tokens, split_segments, tokenize

X12Document: TypeAlias = (
    RemittanceDocument
    | AckDocument
    | StatusDocument
    | BenefitsDocument
    | ClaimsDocument
    | GenericDocument
)
SUPPORTED = ("835", "837P", "837I", "999", "277", "277CA", "271", "270", "276", "278")
NO_837_READER = "unsupported: 837 reader not present"
_FAMILY = {"277CA": "277"}


def transaction_kind(span: TransactionSpan) -> str:
    """835, 837P, 837I, 999, 277, 277CA, 271, 270, 276, 278 (or ST01 as is)."""
    set_id = span.set_id
    if set_id == "837":
        versions = span.version + " " + span.group_version
        return "837I" if "X223" in versions else "837P"
    if set_id == "277" and "X214" in span.version + " " + span.group_version:
        return "277CA"
    return set_id


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while large acyclic trees are built or walked."""
    # Reading allocates millions of small acyclic objects; the cyclic garbage collector's
    # repeated passes over them cost more than the parse itself (measured about 2x on a
    # 100,000-claim 835). Nothing the readers build is cyclic, so pausing it loses nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_x12(data: str | bytes, source: str | None = None) -> X12Document:
    """Tokenize, split the envelope and read every transaction set of one file.

    All transaction sets of a file must be of one kind (a 277 file may mix 277CA and 277).
    """
    with collector_paused():
        return _read(data, source)


def _read(data: str | bytes, source: str | None) -> X12Document:
    raw = split_segments(data, source)
    if raw is None:
        tokens = tokenize(data, source)
    else:
        if first_set_id(raw) == "835":
            try:
                return read_835_stream(raw)
            except NotOnly835:
                pass  # another kind of set follows: the general path reports the mix
        tokens = raw.tokens()
    envelope = split_envelope(tokens)
    kinds = {transaction_kind(span) for span in envelope.transactions}
    families = {_FAMILY.get(k, k) for k in kinds}
    if len(families) > 1:
        first = envelope.transactions[0]
        raise X12Error(
            f"file mixes transaction sets {sorted(kinds)}; one kind per file is supported",
            segment=first.start + 1,
            segment_id="ST",
            source=source,
        )
    family = families.pop()
    if family in ("837P", "837I"):
        return _read_837(tokens, envelope, family)
    reader = _READERS.get(family)
    if reader is None:
        return _generic(tokens, envelope, family)
    return reader(tokens, envelope)


def _read_835(tokens: Tokens, envelope: Envelope) -> RemittanceDocument:
    reader = RemittanceReader()
    remits = tuple(reader.read(tokens.segments, span) for span in envelope.transactions)
    return RemittanceDocument(tokens.source, remits, envelope.findings + tuple(reader.findings))


def _read_999(tokens: Tokens, envelope: Envelope) -> AckDocument:
    found: list[Finding] = []
    sets = tuple(read_999(tokens.segments, span, found) for span in envelope.transactions)
    return AckDocument(tokens.source, sets, envelope.findings + tuple(found))


def _read_277(tokens: Tokens, envelope: Envelope) -> StatusDocument:
    found: list[Finding] = []
    sets = tuple(read_277(tokens.segments, span, found) for span in envelope.transactions)
    kind = "277CA" if all(s.kind == "277CA" for s in sets) else "277"
    return StatusDocument(tokens.source, sets, envelope.findings + tuple(found), kind)


def _read_271(tokens: Tokens, envelope: Envelope) -> BenefitsDocument:
    found: list[Finding] = []
    sets = tuple(read_271(tokens.segments, span, found) for span in envelope.transactions)
    return BenefitsDocument(tokens.source, sets, envelope.findings + tuple(found))


_READERS: dict[str, Callable[[Tokens, Envelope], X12Document]] = {
    "835": _read_835,
    "999": _read_999,
    "277": _read_277,
    "271": _read_271,
}


def _generic(tokens: Tokens, envelope: Envelope, kind: str, note: str = "") -> GenericDocument:
    sets = tuple(
        GenericTransaction(
            span.set_id,
            span.version,
            tuple(tuple(s) for s in tokens.segments[span.start : span.end + 1]),
            span.control,
        )
        for span in envelope.transactions
    )
    return GenericDocument(tokens.source, kind, sets, envelope.findings, note)


def _read_837(tokens: Tokens, envelope: Envelope, kind: str) -> ClaimsDocument:
    found = read_claims(tokens, envelope)
    return ClaimsDocument(
        tokens.source,
        kind,
        tuple(found.claims),
        envelope.findings + tuple(found.findings),
        tuple(found.periods),
    )
