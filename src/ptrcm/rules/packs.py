"""Payer rule packs: versioned policy as data (``rules/packs/*.toml``), checked by a schema.

A pack file holds a ``[pack]`` header and a list of ``[[versions]]``; each version has a
``version`` label, an ``effective_from`` date and any of ``params``, ``severity`` (rule id
-> error/warning/info), ``disabled`` (rule ids) and ``unverified`` (parameter names whose
values the reference marks [U]). A version inherits everything from the version before
it and states only what changed, so a policy change is one small table. The version in
force on a date of service is the latest whose ``effective_from`` is on or before it (a
date before the first version gets the first version).

Every key is checked against ``SCHEMA`` (``ptrcm.rules.pack_schema``): a pack or a payer
override that fails it raises ``ConfigError`` naming the file and the key, and the run
stops. Payer entries of ``ptrcm.toml`` override any parameter (``PayerConfig.overrides``
plus the named keys unit_method, timely_filing_days, visit_limit_per_year and
auth_required); the 837 form keys (``CLAIM_FORM_KEYS``) are the writers', not pack
parameters.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from ptrcm.config import PayerConfig
from ptrcm.errors import ConfigError
from ptrcm.rules.engine import Pack, Severity
from ptrcm.rules.pack_schema import (
    CLAIM_FORM_KEYS,
    SCHEMA,
    as_day,
    as_rule_ids,
    as_text,
    as_text_list,
    check_params,
)

PACK_NAMES = ("medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp")
_VERSION_KEYS = {
    "version", "effective_from", "note", "params", "severity", "disabled", "unverified",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PackSeries:
    """All versions of one pack, oldest first."""

    name: str
    title: str
    source: str
    versions: tuple[Pack, ...]

    def for_date(self, day: date) -> Pack:
        """The version in force on ``day`` (the first version for earlier dates)."""
        chosen = self.versions[0]
        for pack in self.versions:
            if pack.effective_from <= day:
                chosen = pack
            else:
                break
        return chosen


def _header(doc: Mapping[str, Any], source: str) -> tuple[str, str, list[Any]]:
    for key in doc:
        if key not in ("pack", "versions"):
            raise ConfigError(source, key, "unknown key; a pack has [pack] and [[versions]]")
    header = doc.get("pack")
    if not isinstance(header, dict):
        raise ConfigError(source, "pack", "is required: a table with name and title")
    name = as_text(header.get("name"), source, "pack.name")
    title = as_text(header.get("title", name), source, "pack.title")
    raw_versions = doc.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise ConfigError(source, "versions", "must be a non-empty list of [[versions]]")
    return name, title, raw_versions


def parse_pack(doc: Mapping[str, Any], source: str) -> PackSeries:
    """A pack from its parsed TOML document; ``ConfigError`` names the first bad key."""
    name, title, raw_versions = _header(doc, source)
    versions: list[Pack] = []
    for i, raw in enumerate(raw_versions):
        at = f"versions[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(source, at, "must be a table")
        versions.append(_version(name, raw, versions[-1] if versions else None, source, at))
    return PackSeries(name, title, source, tuple(versions))


def _version(
    name: str, raw: Mapping[str, Any], previous: Pack | None, source: str, at: str
) -> Pack:
    """One version: the previous version's values with this version's changes over them."""
    for key in raw:
        if key not in _VERSION_KEYS:
            raise ConfigError(source, f"{at}.{key}", f"unknown key; known: {sorted(_VERSION_KEYS)}")
    label = as_text(raw.get("version"), source, f"{at}.version")
    effective = as_day(raw.get("effective_from"), source, f"{at}.effective_from")
    if previous is not None and effective <= previous.effective_from:
        raise ConfigError(source, f"{at}.effective_from", "must be after the previous one")
    new_params = raw.get("params", {})
    if not isinstance(new_params, dict):
        raise ConfigError(source, f"{at}.params", "must be a table")
    params = dict(previous.params) if previous else {}
    params |= check_params(new_params, source, f"{at}.params.")
    severities = dict(previous.severities) if previous else {}
    severities |= _severities(raw.get("severity", {}), source, f"{at}.severity")
    disabled = previous.disabled if previous else frozenset()
    if "disabled" in raw:
        disabled = frozenset(as_rule_ids(raw["disabled"], source, f"{at}.disabled"))
    unverified = set(previous.unverified) if previous else set()
    for j, pname in enumerate(as_text_list(raw.get("unverified", []), source, f"{at}.unverified")):
        if pname not in SCHEMA:
            raise ConfigError(source, f"{at}.unverified[{j}]", f"unknown parameter {pname!r}")
        unverified.add(pname)
    return Pack(
        name=name,
        version=label,
        effective_from=effective,
        params=params,
        severities=severities,
        disabled=disabled,
        unverified=frozenset(unverified | _flagged(params)),
    )


def _severities(raw: object, source: str, key: str) -> dict[str, Severity]:
    if not isinstance(raw, dict):
        raise ConfigError(source, key, "must be a table of rule id = severity")
    as_rule_ids(list(raw), source, key)
    out = {}
    for rule_id, value in raw.items():
        if value not in ("error", "warning", "info"):
            raise ConfigError(source, f"{key}.{rule_id}", "must be error, warning or info")
        out[rule_id] = Severity(value)
    return out


def _flagged(params: Mapping[str, Any]) -> set[str]:
    """Table parameters holding at least one row the reference marks [U]."""
    return {
        key
        for key, value in params.items()
        if isinstance(value, tuple)
        and any(isinstance(row, Mapping) and row.get("confidence") == "U" for row in value)
    }


def load_pack_text(text: str, source: str) -> PackSeries:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "-", f"not valid TOML: {exc}") from None
    return parse_pack(doc, source)


@cache
def builtin_packs() -> Mapping[str, PackSeries]:
    """The packs shipped with ptrcm, parsed and checked once per process."""
    folder = resources.files("ptrcm.rules").joinpath("packs")
    out = {}
    for name in PACK_NAMES:
        entry = folder.joinpath(f"{name}.toml")
        series = load_pack_text(entry.read_text(encoding="utf-8"), f"rules/packs/{name}.toml")
        if series.name != name:
            raise ConfigError(series.source, "pack.name", f"must be {name!r} (the file name)")
        out[name] = series
    return out


def payer_params(payer: PayerConfig, source: str) -> dict[str, Any]:
    """The parameters a payer entry of ``ptrcm.toml`` sets, checked against ``SCHEMA``."""
    named: dict[str, Any] = {
        "unit_method": payer.unit_method.value,
        "timely_filing_days": payer.timely_filing_days,
        "auth_required": payer.auth_required,
    }
    if payer.visit_limit_per_year is not None:
        named["visit_limit_per_year"] = payer.visit_limit_per_year
    params = {k: v for k, v in payer.overrides.items() if k not in CLAIM_FORM_KEYS}
    overrides = check_params(params, source, f"payers.{payer.payer_id}.")
    return named | overrides


class PackBook:
    """Packs per payer and date of service, with each payer's overrides applied (cached)."""

    def __init__(
        self,
        payers: Mapping[str, PayerConfig],
        source: str,
        packs: Mapping[str, PackSeries] | None = None,
    ) -> None:
        self._packs = builtin_packs() if packs is None else packs
        self._payers = payers
        self._source = source
        self._params: dict[str, dict[str, Any]] = {}
        self._cache: dict[tuple[str, str], Pack] = {}
        for pid, payer in payers.items():
            if payer.pack not in self._packs:
                raise ConfigError(
                    source, f"payers.{pid}.pack", f"no rule pack named {payer.pack!r}"
                )
            self._params[pid] = payer_params(payer, source)

    def series(self, name: str) -> PackSeries:
        return self._packs[name]

    def for_visit(self, payer_id: str, day: date) -> Pack:
        """The payer's pack version in force on ``day``, with the payer's overrides."""
        payer = self._payers[payer_id]
        base = self._packs[payer.pack].for_date(day)
        key = (payer_id, base.version)
        pack = self._cache.get(key)
        if pack is None:
            over = self._params[payer_id]
            pack = Pack(
                name=base.name,
                version=base.version,
                effective_from=base.effective_from,
                params={**base.params, **over},
                severities=base.severities,
                disabled=base.disabled,
                unverified=base.unverified - frozenset(over),
            )
            self._cache[key] = pack
        return pack


def all_versions(packs: Mapping[str, PackSeries]) -> Sequence[Pack]:
    return [p for series in packs.values() for p in series.versions]
