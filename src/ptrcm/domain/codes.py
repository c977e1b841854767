"""The therapy procedure code catalog (package data ``data/codes.toml``)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

DISCIPLINES = ("PT", "OT", "SLP")
MEDICARE_STATUSES = ("payable", "bundled", "not_recognized")


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What ptrcm knows about one CPT/HCPCS code."""

    code: str
    description: str
    timed: bool
    unit_minutes: int | None
    add_on_of: str | None
    disciplines: frozenset[str]
    always_therapy: bool
    medicare: str
    replacement: str | None
    evaluation: str | None
    note: str

    @property
    def is_evaluation(self) -> bool:
        return self.evaluation is not None


class Catalog(Mapping[str, CodeInfo]):
    """Read-only code lookup. Unknown codes are simply absent (``get`` returns None)."""

    def __init__(self, codes: Mapping[str, CodeInfo], version: str) -> None:
        self._codes = dict(codes)
        self.version = version
        self.timed_15 = frozenset(
            c for c, i in self._codes.items() if i.timed and i.unit_minutes == 15
        )
        self._add_on = {i.add_on_of: c for c, i in self._codes.items() if i.add_on_of}

    def __getitem__(self, code: str) -> CodeInfo:
        return self._codes[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def add_on_for(self, primary: str) -> str | None:
        """The add-on code that bills a primary's further time (97129 -> 97130)."""
        return self._add_on.get(primary)

    def is_timed(self, code: str) -> bool:
        info = self._codes.get(code)
        return info is not None and info.timed


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build a catalog from the parsed TOML document; refuses malformed entries."""
    codes: dict[str, CodeInfo] = {}
    for code, raw in data.get("codes", {}).items():
        timed = bool(raw.get("timed", False))
        unit_minutes = raw.get("unit_minutes")
        if timed and unit_minutes not in (15, 30):
            raise ValueError(f"codes.{code}.unit_minutes must be 15 or 30 for a timed code")
        disciplines = frozenset(raw.get("disciplines", []))
        if not disciplines <= set(DISCIPLINES):
            raise ValueError(f"codes.{code}.disciplines has an unknown discipline")
        medicare = raw.get("medicare", "payable")
        if medicare not in MEDICARE_STATUSES:
            raise ValueError(f"codes.{code}.medicare must be one of {MEDICARE_STATUSES}")
        codes[code] = CodeInfo(
            code=code,
            description=str(raw["description"]),
            timed=timed,
            unit_minutes=int(unit_minutes) if timed else None,
            add_on_of=raw.get("add_on_of"),
            disciplines=disciplines,
            always_therapy=bool(raw.get("always_therapy", False)),
            medicare=medicare,
            replacement=raw.get("replacement"),
            evaluation=raw.get("evaluation"),
            note=str(raw.get("note", "")),
        )
    for info in codes.values():
        if info.add_on_of is not None and info.add_on_of not in codes:
            raise ValueError(f"codes.{info.code}.add_on_of names unknown code {info.add_on_of}")
    return Catalog(codes, str(data.get("meta", {}).get("version", "unknown")))


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with ptrcm (parsed once, on first use)."""
    text = resources.files("ptrcm.data").joinpath("codes.toml").read_text(encoding="utf-8")
    return parse_catalog(tomllib.loads(text))
