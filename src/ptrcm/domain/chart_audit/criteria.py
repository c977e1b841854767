"""The criteria catalog, read from ``ptrcm/data/chart_criteria.toml`` (data, not code).

Each criterion names the record it reads, its severity ("significant": without what it
asks the service would not be covered; "minor"), the source it enforces and the advice a
therapist is given. ``version`` travels with every stored audit result.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

SEVERITIES = ("significant", "minor")
RECORDS = ("evaluation", "plan_of_care", "certification", "progress_report", "daily_note")
ID_RE = re.compile(r"^[A-Z]{2}[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    record: str
    title: str
    severity: str
    source: str
    advice: str
    params: Mapping[str, int] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        return self.severity == "significant"

    def param(self, name: str) -> int:
        return self.params[name]


@dataclass(frozen=True, slots=True)
class CriteriaCatalog:
    version: str
    criteria: tuple[Criterion, ...]

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def get(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)


def parse_criteria(data: Mapping[str, Any]) -> CriteriaCatalog:
    """A catalog from the parsed TOML; refuses a malformed or duplicated criterion."""
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError("the criteria catalog needs a version")
    seen: set[str] = set()
    out = []
    for raw in data.get("criteria", []):
        cid = raw.get("id")
        if not isinstance(cid, str) or not ID_RE.fullmatch(cid) or cid in seen:
            raise ValueError(f"criterion id {cid!r} is malformed or duplicated")
        seen.add(cid)
        if raw.get("severity") not in SEVERITIES:
            raise ValueError(f"criterion {cid}: severity must be one of {SEVERITIES}")
        if raw.get("record") not in RECORDS:
            raise ValueError(f"criterion {cid}: record must be one of {RECORDS}")
        for key in ("title", "source", "advice"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ValueError(f"criterion {cid}: {key} is required")
        known = {"id", "record", "title", "severity", "source", "advice"}
        params = {k: v for k, v in raw.items() if k not in known}
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in params.values()):
            raise ValueError(f"criterion {cid}: parameters must be whole numbers")
        out.append(
            Criterion(
                cid,
                raw["record"],
                raw["title"],
                raw["severity"],
                raw["source"],
                raw["advice"],
                params,
            )
        )
    return CriteriaCatalog(version, tuple(out))


@cache
def load_criteria() -> CriteriaCatalog:
    """The catalog shipped with ptrcm (parsed once)."""
    text = resources.files("ptrcm.data").joinpath("chart_criteria.toml").read_text("utf-8")
    return parse_criteria(tomllib.loads(text))
