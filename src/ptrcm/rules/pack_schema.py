"""The schema of payer rule packs: every parameter a pack version or a payer's override in
``ptrcm.toml`` may set, and how its value is checked and normalised (decimal strings to
``Decimal``, lists to tuples, tables of rows checked key by key). A value that fails raises
``ConfigError`` naming the file and the key (``versions[2].params.kx_thresholds[0].year``).
The packs themselves, their versions and the payers' overrides are ``ptrcm.rules.packs``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ptrcm.errors import ConfigError

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


def as_text(value: object, source: str, key: str) -> str:
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


def as_text_list(value: object, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(source, key, "must be a list of strings")
    return tuple(as_text(v, source, f"{key}[{i}]") for i, v in enumerate(value))


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


_FLAGS: dict[str, Checker] = {"confidence": _choice(*CONFIDENCE), "note": as_text}

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
        {"year": _int, "amount": _decimal, "confidence": _choice(*CONFIDENCE)}, {"note": as_text}
    ),
    "kx_far_below_share": _decimal,
    "distinct_modifiers": as_text_list,
    "telehealth_pos": as_text_list,
    "telehealth_modifiers": as_text_list,
    "telehealth_modifier_required": _bool,
    # NCCI / MUE / payability (reference §2, §4)
    "ncci_pairs": Table(
        {"column1": as_text, "column2": as_text, "indicator": _one_of_ints(0, 1)},
        {**_FLAGS, "source": as_text, "quarter": as_text},
    ),
    "mue": Table(
        {"code": as_text, "max_units": _int, "mai": _one_of_ints(1, 2, 3)},
        {**_FLAGS, "source": as_text, "quarter": as_text},
    ),
    "non_payable": Table(
        {"code": as_text, "status": _choice("bundled", "not_recognized", "not_covered")},
        {"replacement": as_text, **_FLAGS},
    ),
    "evaluations_per_day": _int,
    "evaluation_limited_disciplines": as_text_list,
    # diagnoses (D rules): a therapy code needs a diagnosis starting with one of the
    # general prefixes, or with one of its own crosswalk row's prefixes
    "therapy_dx_prefixes": as_text_list,
    "dx_crosswalk": Table({"codes": as_text_list, "prefixes": as_text_list}, _FLAGS),
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


def check_params(raw: Mapping[str, Any], source: str, prefix: str) -> dict[str, Any]:
    """Parameters checked against ``SCHEMA`` and normalised (decimals, tuples)."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        check = SCHEMA.get(key)
        if check is None:
            raise ConfigError(source, f"{prefix}{key}", "unknown rule-pack parameter")
        out[key] = check(value, source, f"{prefix}{key}")
    return out


def as_day(value: object, source: str, key: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date):
        return value
    raise ConfigError(source, key, "must be a date YYYY-MM-DD")


def as_rule_ids(value: object, source: str, key: str) -> tuple[str, ...]:
    ids = as_text_list(value, source, key)
    for i, rule_id in enumerate(ids):
        if not (len(rule_id) == 4 and rule_id[0] in "UMNDEAPC" and rule_id[1:].isdigit()):
            raise ConfigError(source, f"{key}[{i}]", f"not a rule id: {rule_id!r}")
    return ids
