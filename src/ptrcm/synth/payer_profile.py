"""Payer profiles and the member file: what the simulated payer is and what it knows.

A profile (TOML in ``ptrcm/synth/profiles``, or a file of the same shape) sets the
payer's contract, its patients' cost sharing, its payment lag, its filing limit and its
denial behaviour. The member file (JSON, written by ``ptrcm demo`` from master data) is
the payer's own knowledge: each member's authorizations, prior visits this year and the
disciplines of the enrolled rendering providers (and which of them are assistants), the
coverage span and lapses its eligibility system knows, and the therapy amount each
Medicare member had allowed this year before the first claim the payer sees. See
docs/payer-simulator.md.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from ptrcm.domain.money import Money
from ptrcm.errors import ConfigError, InputError

PROFILE_NAMES = ("medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp")
_PROFILE_KEYS = {
    "name", "payer_class", "payer_name", "payer_tin", "edits_pack", "payment_lag_days",
    "filing_days", "therapy_modifier_required", "auth_required", "visit_limit",
    "medical_necessity_rate", "underpayment_rate", "underpayment_cut", "appeal_win_rate",
    "percent_of_fee_schedule", "sequestration_rate", "eligibility_check", "therapy_threshold",
    "assistant_modifier_required",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PayerProfile:
    """How one simulated payer pays and denies."""

    name: str
    payer_class: str
    payer_name: str
    payer_tin: str
    edits_pack: str
    payment_lag_days: int
    filing_days: int
    therapy_modifier_required: bool
    auth_required: bool
    visit_limit: int
    medical_necessity_rate: Decimal
    underpayment_rate: Decimal
    underpayment_cut: Decimal
    appeal_win_rate: Decimal
    deductible: Money
    coinsurance: Decimal
    copay: Money
    percent_of_fee_schedule: Decimal = Decimal(1)
    sequestration_rate: Decimal | None = None
    eligibility_check: bool = False  # CO-27 on dates the member file says are not covered
    therapy_threshold: bool = False  # CO-119 N640 on lines past the KX threshold without KX
    assistant_modifier_required: bool = False  # CO-4 on an assistant's timed line w/o CQ/CO


def _rate(source: str, key: str, value: object) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(source, key, f"not a decimal: {value!r}") from None
    if not Decimal(0) <= rate <= Decimal(2):
        raise ConfigError(source, key, "must be from 0 to 2")
    return rate


def parse_profile(doc: Mapping[str, Any], source: str) -> PayerProfile:
    """A profile from its TOML document; ``ConfigError`` names the file and key."""
    raw = doc.get("profile")
    costs = doc.get("cost_sharing", {})
    if not isinstance(raw, Mapping) or not isinstance(costs, Mapping):
        raise ConfigError(source, "profile", "a profile needs [profile] and [cost_sharing]")
    unknown = set(raw) - _PROFILE_KEYS
    if unknown:
        raise ConfigError(source, f"profile.{sorted(unknown)[0]}", "unknown key")
    try:
        seq = raw.get("sequestration_rate")
        return PayerProfile(
            name=str(raw["name"]),
            payer_class=str(raw["payer_class"]),
            payer_name=str(raw.get("payer_name", raw["name"])).upper(),
            payer_tin=str(raw.get("payer_tin", "990000000")),
            edits_pack=str(raw.get("edits_pack", raw["payer_class"])),
            payment_lag_days=int(raw.get("payment_lag_days", 14)),
            filing_days=int(raw.get("filing_days", 365)),
            therapy_modifier_required=bool(raw.get("therapy_modifier_required", False)),
            auth_required=bool(raw.get("auth_required", False)),
            visit_limit=int(raw.get("visit_limit", 0)),
            medical_necessity_rate=_rate(
                source, "medical_necessity_rate", raw.get("medical_necessity_rate", "0")
            ),
            underpayment_rate=_rate(source, "underpayment_rate", raw.get("underpayment_rate", 0)),
            underpayment_cut=_rate(source, "underpayment_cut", raw.get("underpayment_cut", 0)),
            appeal_win_rate=_rate(source, "appeal_win_rate", raw.get("appeal_win_rate", "0.5")),
            deductible=Money.of(str(costs.get("deductible", "0"))),
            coinsurance=_rate(source, "cost_sharing.coinsurance", costs.get("coinsurance", 0)),
            copay=Money.of(str(costs.get("copay", "0"))),
            percent_of_fee_schedule=_rate(
                source, "percent_of_fee_schedule", raw.get("percent_of_fee_schedule", 1)
            ),
            sequestration_rate=None if seq is None else _rate(source, "sequestration_rate", seq),
            eligibility_check=bool(raw.get("eligibility_check", False)),
            therapy_threshold=bool(raw.get("therapy_threshold", False)),
            assistant_modifier_required=bool(raw.get("assistant_modifier_required", False)),
        )
    except KeyError as exc:
        raise ConfigError(source, f"profile.{exc.args[0]}", "is required") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(source, "profile", str(exc)) from None


def load_profile(name_or_file: str) -> PayerProfile:
    """A built-in profile by name, or a profile TOML file by path."""
    if name_or_file in PROFILE_NAMES:
        text = resources.files("ptrcm.synth.profiles").joinpath(f"{name_or_file}.toml")
        return parse_profile(tomllib.loads(text.read_text(encoding="utf-8")), name_or_file)
    path = Path(name_or_file)
    if not path.is_file():
        raise ConfigError(
            name_or_file, "-", f"no such profile; built-in profiles: {', '.join(PROFILE_NAMES)}"
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(name_or_file, "-", f"not valid TOML: {exc}") from None
    return parse_profile(doc, name_or_file)


@dataclass(frozen=True, slots=True)
class Authorization:
    number: str
    visits: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Member:
    """One member as the payer knows them (keyed by member id)."""

    member_id: str
    payer_id: str
    visits_before: int = 0  # visits this calendar year before the first claim we see
    authorizations: tuple[Authorization, ...] = ()
    coverage_start: date | None = None
    coverage_end: date | None = None
    lapses: tuple[tuple[date, date], ...] = ()  # (first, last) days not covered
    # therapy allowed before the first claim we see, by "year/group" (group "PT+SLP", "OT")
    therapy_before: Mapping[str, Decimal] = field(default_factory=dict)

    def covered_on(self, day: date) -> bool:
        """Whether the payer's eligibility file shows coverage on ``day``."""
        if self.coverage_start is not None and day < self.coverage_start:
            return False
        if self.coverage_end is not None and day > self.coverage_end:
            return False
        return not any(first <= day <= last for first, last in self.lapses)


@dataclass(frozen=True, slots=True)
class MemberFile:
    members: Mapping[str, Member] = field(default_factory=dict)
    providers: Mapping[str, str] = field(default_factory=dict)  # rendering NPI -> discipline
    assistants: frozenset[str] = frozenset()  # rendering NPIs enrolled as PTA / OTA

    def to_json(self) -> dict[str, Any]:
        return {
            "members": {
                m.member_id: {
                    "payer_id": m.payer_id,
                    "visits_before": m.visits_before,
                    "authorizations": [
                        {
                            "number": a.number,
                            "visits": a.visits,
                            "start": a.start.isoformat(),
                            "end": a.end.isoformat(),
                        }
                        for a in m.authorizations
                    ],
                    **_coverage_json(m),
                }
                for m in self.members.values()
            },
            "providers": dict(self.providers),
            "assistants": sorted(self.assistants),
        }


def _coverage_json(m: Member) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.coverage_start is not None:
        out["coverage_start"] = m.coverage_start.isoformat()
    if m.coverage_end is not None:
        out["coverage_end"] = m.coverage_end.isoformat()
    if m.lapses:
        out["lapses"] = [[a.isoformat(), b.isoformat()] for a, b in m.lapses]
    if m.therapy_before:
        out["therapy_before"] = {k: str(v) for k, v in sorted(m.therapy_before.items())}
    return out


def _day(value: object) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def parse_members(doc: Mapping[str, Any], source: str) -> MemberFile:
    try:
        members = {
            mid: Member(
                mid,
                str(raw["payer_id"]),
                int(raw.get("visits_before", 0)),
                tuple(
                    Authorization(
                        str(a["number"]),
                        int(a["visits"]),
                        date.fromisoformat(a["start"]),
                        date.fromisoformat(a["end"]),
                    )
                    for a in raw.get("authorizations", ())
                ),
                _day(raw.get("coverage_start")),
                _day(raw.get("coverage_end")),
                tuple(
                    (date.fromisoformat(a), date.fromisoformat(b)) for a, b in raw.get("lapses", ())
                ),
                {str(k): Decimal(str(v)) for k, v in raw.get("therapy_before", {}).items()},
            )
            for mid, raw in doc.get("members", {}).items()
        }
        providers = {str(k): str(v) for k, v in doc.get("providers", {}).items()}
        assistants = frozenset(str(n) for n in doc.get("assistants", ()))
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise InputError.one(source, None, "members", f"not a member file ({exc})") from None
    return MemberFile(members, providers, assistants)


def load_members(path: str | os.PathLike[str] | None) -> MemberFile:
    """The member file at ``path`` (an empty one when None)."""
    if path is None:
        return MemberFile()
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError.one(str(p), None, None, f"cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InputError.one(str(p), exc.lineno, None, f"not valid JSON ({exc.msg})") from None
    return parse_members(doc, str(p))
