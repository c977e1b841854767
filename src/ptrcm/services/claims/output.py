"""`write-837`: a visit file becomes 837 files, written whole or not at all.

Each payer's ``claim_type`` decides 837P or 837I. When every claim has one type, the
output is exactly the file asked for; when both types occur, two files are written beside
it: ``NAME.837P.EXT`` and ``NAME.837I.EXT`` (e.g. ``out.x12`` → ``out.837P.x12`` and
``out.837I.x12``). Files are written to temporary names first and renamed only when every
one is complete, so a failure leaves nothing half-written.

Envelope settings come from the configuration's ``[x12]`` table: ``sender_id`` (default
the clinic's TIN), ``receiver_id`` (default the payer code when one payer is billed,
otherwise "CLEARINGHOUSE"), ``usage`` (P or T), ``contact_name``, ``contact_phone``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ptrcm.config import Config
from ptrcm.domain.claims import Claim
from ptrcm.domain.codes import Catalog
from ptrcm.errors import ConfigError, InputError, RecordProblem
from ptrcm.services.claims.building import build_claims
from ptrcm.services.intake.visit_files import iter_records, read_visits
from ptrcm.x12.claim837.institutional import write_837i
from ptrcm.x12.claim837.professional import Billing, write_837p
from ptrcm.x12.envelope import ControlNumbers, CounterControlNumbers, EnvelopeSettings

DEFAULT_CONTACT_PHONE = "0000000000"
_VISIT_IN_MESSAGE = re.compile(r"^visit (\S+?):? ")


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: Path
    claim_type: str
    claims: int


def envelope_settings(config: Config, claims: Sequence[Claim]) -> EnvelopeSettings:
    """Envelope settings from ``[x12]``, with defaults from the clinic and the payers."""
    x12: Mapping[str, object] = config.x12
    codes = {p.payer_code for c in claims if (p := config.payer(c.payer_id)) is not None}
    receiver = next(iter(codes)) if len(codes) == 1 else "CLEARINGHOUSE"
    usage = str(x12.get("usage", "P"))
    if usage not in ("P", "T"):
        raise ConfigError(config.source, "x12.usage", 'must be "P" (production) or "T" (test)')
    return EnvelopeSettings(
        sender_id=str(x12.get("sender_id", config.clinic.tin)),
        receiver_id=str(x12.get("receiver_id", receiver)),
        submitter_name=str(x12.get("submitter_name", config.clinic.name)),
        contact_name=str(x12.get("contact_name", "BILLING OFFICE")),
        contact_phone=str(x12.get("contact_phone", DEFAULT_CONTACT_PHONE)),
        usage=usage,
    )


class Counters(Protocol):
    """The organization's control-number counters in the store."""

    def next(self, name: str) -> int: ...


class RecordedControlNumbers:
    """Control numbers from the store's counters, remembering the ones one file took
    (its batch row records them, so 999s can be matched back)."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        self.isa = self.gs = 0
        self.st: list[int] = []

    def next_interchange(self) -> int:
        self.isa = self.counters.next("ISA")
        return self.isa

    def next_group(self) -> int:
        self.gs = self.counters.next("GS")
        return self.gs

    def next_transaction(self) -> int:
        self.st.append(self.counters.next("ST"))
        return self.st[-1]


def default_controls(now: datetime) -> ControlNumbers:
    """Control numbers until the store persists them: the interchange number is derived
    from the minute of writing (YYDDDHHMM), so two runs a minute apart never collide."""
    return CounterControlNumbers(interchange=int(now.strftime("%y%j%H%M")))


def _with_lines(problems: Sequence[RecordProblem], visits_file: Path) -> list[RecordProblem]:
    """Problems named by visit id get the visit's line number in the file."""
    lines: dict[str, int] = {}
    for number, record, _ in iter_records(visits_file):
        if isinstance(record, dict) and isinstance(record.get("visit_id"), str):
            lines.setdefault(record["visit_id"], number)
    fixed = []
    for p in problems:
        named = _VISIT_IN_MESSAGE.match(p.message)
        line = lines.get(named.group(1), p.line) if named else p.line
        fixed.append(RecordProblem(str(visits_file), line, p.field, p.message))
    return fixed


def output_paths(out: Path, types: Sequence[str]) -> dict[str, Path]:
    """Where each claim type goes (see the module docstring)."""
    if len(types) == 1:
        return {types[0]: out}
    return {t: out.with_name(f"{out.stem}.{t}{out.suffix}") for t in types}


def write_837_files(
    visits_file: str | os.PathLike[str],
    out: str | os.PathLike[str],
    config: Config,
    catalog: Catalog,
    now: datetime,
    controls: ControlNumbers | None = None,
) -> list[WrittenFile]:
    """Build claims from the visit file and write them as 837P/837I (see module doc)."""
    source = Path(visits_file)
    visits = read_visits(source)
    future = [
        RecordProblem(
            str(source),
            None,
            "date_of_service",
            f"visit {v.visit_id}: the date of service {v.date_of_service.isoformat()} is after"
            f" today ({now.date().isoformat()}); nothing in the future is billed",
        )
        for v in visits
        if v.date_of_service > now.date()
    ]
    try:
        claims = build_claims(visits, config, catalog, str(source))
    except InputError as exc:
        raise InputError(_with_lines([*future, *exc.problems], source)) from None
    if future:
        raise InputError(_with_lines(future, source))
    by_type: dict[str, list[Claim]] = {}
    for claim in claims:
        payer = config.payer(claim.payer_id)
        claim_type = payer.claim_type if payer is not None else "837P"
        by_type.setdefault(claim_type, []).append(claim)
    controls = controls or default_controls(now)
    billing = Billing(config.clinic, config.payers)
    paths = output_paths(Path(out), sorted(by_type, reverse=True))
    texts = {}
    for claim_type, group in by_type.items():
        settings = envelope_settings(config, group)
        writer = write_837i if claim_type == "837I" else write_837p
        texts[claim_type] = writer(group, billing, settings, controls, now)
    return _commit(texts, paths, by_type)


def _commit(
    texts: Mapping[str, str], paths: Mapping[str, Path], by_type: Mapping[str, list[Claim]]
) -> list[WrittenFile]:
    temps: list[Path] = []
    try:
        for claim_type, text in texts.items():
            tmp = paths[claim_type].with_name(paths[claim_type].name + ".tmp")
            temps.append(tmp)
            tmp.write_text(text, encoding="ascii", newline="")
    except OSError as exc:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        message = f"cannot write ({exc.strerror})"
        raise InputError.one(str(exc.filename), None, None, message) from None
    written = []
    for claim_type in texts:
        paths[claim_type].with_name(paths[claim_type].name + ".tmp").replace(paths[claim_type])
        written.append(WrittenFile(paths[claim_type], claim_type, len(by_type[claim_type])))
    return written
