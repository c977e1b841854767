"""Payer rule packs: versioned policy as data (``rules/packs/*.toml``), checked by a schema.

A pack file holds a ``[pack]`` header and a list of ``[[versions]]``; each version has a
``version`` label, an ``effective_from`` date and any of ``params``, ``severity`` (rule id
-> error/warning/info), ``disabled`` (rule ids) and ``unverified`` (parameter names whose
values the reference marks [U]). A version inherits everything from the version before
it and states only what changed, so a policy change is one small table. The version in
force on a date of service is the latest whose ``effective_from`` is on or before it (a
date before the first version gets the first version).

Every key is checked against ``SCHEMA``: a pack or a payer override that fails it raises
``ConfigError`` naming the file and the key, and the run stops. Payer entries of
``ptrcm.toml`` override any parameter (``PayerConfig.overrides`` plus the named keys
unit_method, timely_filing_days, visit_limit_per_year and auth_required); the 837 form
keys (``CLAIM_FORM_KEYS``) are the writers', not pack parameters.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from ptrcm.config import PayerConfig
from ptrcm.errors import ConfigError
from ptrcm.rules.engine import Pack, Severity

PACK_NAMES = ("medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp")
CONFIDENCE = ("C", "S", "U", "D")  # reference: CMS text, secondary, unconfirmed, derived

Checker = Callable[[object, str, str], Any]  # (value, source, key) -> normalised value


def _bool(value: object, source: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(source, key, "must be true or false")
    return value


def _int(value: object, source: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(source, key, "must be a whole number ≥ 0")
    return value


def _str(value: object, source: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(source, key, "must be a non-empty string")
    return value.strip()


def _decimal(value: object, source: str, key: str) -> Decimal:
    if not isinstance(value, str):
        raise ConfigError(source, key, 'must be a decimal string such as "0.10"')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ConfigError(source, key, f"not a decimal: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ConfigError(source, key, "must be a finite amount ≥ 0")
    return amount


def _str_list(value: object, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(source, key, "must be a list of strings")
    return tuple(_str(v, source, f"{key}[{i}]") for i, v in enumerate(value))


def _choice(*choices: str) -> Checker:
    def check(value: object, source: str, key: str) -> str:
        if value not in choices:
            raise ConfigError(source, key, f"must be one of {', '.join(choices)}")
        return str(value)

    return check


def _one_of_ints(*choices: int) -> Checker:
    def check(value: object, source: str, key: str) -> int:
        number = _int(value, source, key)
        if number not in choices:
            raise ConfigError(source, key, f"must be one of {', '.join(map(str, choices))}")
        return number

    return check


@dataclass(frozen=True, slots=True)
class Table:
    """A list of rows (TOML array of tables): each row's keys are checked; rows are dicts."""

    required: Mapping[str, Checker]
    optional: Mapping[str, Checker] = field(default_factory=dict)

    def __call__(self, value: object, source: str, key: str) -> tuple[Mapping[str, Any], ...]:
        if not isinstance(value, list):
            raise ConfigError(source, key, "must be a list of tables")
        rows = []
        for i, row in enumerate(value):
            where = f"{key}[{i}]"
            if not isinstance(row, dict):
                raise ConfigError(source, where, "must be a table")
            out: dict[str, Any] = {}
            for name, check in self.required.items():
                if name not in row:
                    raise ConfigError(source, f"{where}.{name}", "is required")
                out[name] = check(row[name], source, f"{where}.{name}")
            for name, raw in row.items():
                if name in self.required:
                    continue
                opt = self.optional.get(name)
                if opt is None:
                    known = sorted({*self.required, *self.optional})
                    raise ConfigError(source, f"{where}.{name}", f"unknown key; known: {known}")
                out[name] = opt(raw, source, f"{where}.{name}")
            rows.append(out)
        return tuple(rows)


_FLAGS: dict[str, Checker] = {"confidence": _choice(*CONFIDENCE), "note": _str}

# Every parameter a pack or a payer override may set, and how its value is checked.
SCHEMA: dict[str, Checker] = {
    # units (MCPM ch. 5 §20.2; reference §1)
    "unit_method": _choice("cms", "ama"),
    # modifiers (reference §3)
    "discipline_modifier_required": _bool,
    "assistant_modifier_required": _bool,
    "assistant_de_minimis": _decimal,
    "assistant_supervision_required": _bool,
    "kx_applies": _bool,
    "kx_thresholds": Table(
        {"year": _int, "amount": _decimal, "confidence": _choice(*CONFIDENCE)}, {"note": _str}
    ),
    "kx_far_below_share": _decimal,
    "distinct_modifiers": _str_list,
    "telehealth_pos": _str_list,
    "telehealth_modifiers": _str_list,
    "telehealth_modifier_required": _bool,
    # NCCI / MUE / payability (reference §2, §4)
    "ncci_pairs": Table(
        {"column1": _str, "column2": _str, "indicator": _one_of_ints(0, 1)},
        {**_FLAGS, "source": _str, "quarter": _str},
    ),
    "mue": Table(
        {"code": _str, "max_units": _int, "mai": _one_of_ints(1, 2, 3)},
        {**_FLAGS, "source": _str, "quarter": _str},
    ),
    "non_payable": Table(
        {"code": _str, "status": _choice("bundled", "not_recognized", "not_covered")},
        {"replacement": _str, **_FLAGS},
    ),
    "evaluations_per_day": _int,
    "evaluation_limited_disciplines": _str_list,
    # diagnoses (D rules): a therapy code needs a diagnosis starting with one of the
    # general prefixes, or with one of its own crosswalk row's prefixes
    "therapy_dx_prefixes": _str_list,
    "dx_crosswalk": Table({"codes": _str_list, "prefixes": _str_list}, _FLAGS),
    # eligibility (E rules)
    "eligibility_max_age_days": _int,
    # authorization and visit caps (A rules)
    "auth_required": _bool,
    "auth_warn_remaining": _int,
    "visit_limit_per_year": _int,
    "visit_limit_warn_remaining": _int,
    # plan of care and progress reports (P rules; MBPM ch. 15 §220.1)
    "certification_required": _bool,
    "initial_certification_days": _int,
    "recertification_days": _int,
    "progress_report_interval": _int,
    # claim data and filing (C rules)
    "timely_filing_days": _int,
    "timely_filing_rule": _choice("days", "one_calendar_year"),
    "timely_filing_unconfirmed": _bool,
    "filing_warn_days": _int,
}

# Payer-entry keys that shape its 837 (x12 writers): allowed beside the pack parameters.
CLAIM_FORM_KEYS = frozenset({"type_of_bill", "patient_status", "filing_indicator"})

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


def check_params(raw: Mapping[str, Any], source: str, prefix: str) -> dict[str, Any]:
    """Parameters checked against ``SCHEMA`` and normalised (decimals, tuples)."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        check = SCHEMA.get(key)
        if check is None:
            raise ConfigError(source, f"{prefix}{key}", "unknown rule-pack parameter")
        out[key] = check(value, source, f"{prefix}{key}")
    return out


def _day(value: object, source: str, key: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date):
        return value
    raise ConfigError(source, key, "must be a date YYYY-MM-DD")


def _rule_ids(value: object, source: str, key: str) -> tuple[str, ...]:
    ids = _str_list(value, source, key)
    for i, rule_id in enumerate(ids):
        if not (len(rule_id) == 4 and rule_id[0] in "UMNDEAPC" and rule_id[1:].isdigit()):
            raise ConfigError(source, f"{key}[{i}]", f"not a rule id: {rule_id!r}")
    return ids


def _header(doc: Mapping[str, Any], source: str) -> tuple[str, str, list[Any]]:
    for key in doc:
        if key not in ("pack", "versions"):
            raise ConfigError(source, key, "unknown key; a pack has [pack] and [[versions]]")
    header = doc.get("pack")
    if not isinstance(header, dict):
        raise ConfigError(source, "pack", "is required: a table with name and title")
    name = _str(header.get("name"), source, "pack.name")
    title = _str(header.get("title", name), source, "pack.title")
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
    label = _str(raw.get("version"), source, f"{at}.version")
    effective = _day(raw.get("effective_from"), source, f"{at}.effective_from")
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
        disabled = frozenset(_rule_ids(raw["disabled"], source, f"{at}.disabled"))
    unverified = set(previous.unverified) if previous else set()
    for j, pname in enumerate(_str_list(raw.get("unverified", []), source, f"{at}.unverified")):
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
    _rule_ids(list(raw), source, key)
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
