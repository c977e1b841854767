"""``ptrcm.toml``: clinic identity, payers, charge master and rule selection (ARCHITECTURE §3.3).

A built-in default (package data ``data/default_config.toml``) defines the payers
MEDICARE, MEDICARE_ADV, MEDICAID, COMMERCIAL, WORKERS_COMP and SELF_PAY so every command
works without a file. A file's ``[payers.X]``
table is merged over the default of the same id (or defines a new payer); keys this module
does not know are kept as rule-pack parameter overrides, which the pack schema checks (the
composition root, ``ptrcm.bootstrap``, does so for every command). Every other section
knows its keys: an unknown one, like any bad value, stops the command with an error naming
the file and the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ptrcm.config.governance import (
    AlertSettings,
    parse_alerts,
    parse_costs,
    parse_sla,
    parse_targets,
)
from ptrcm.config.values import id_list, known, money, strings, table_at, text, whole_numbers
from ptrcm.domain.clearinghouse import Connector, parse_connectors
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod
from ptrcm.domain.visits import Address
from ptrcm.errors import ConfigError

PAYER_CLASSES = (
    "medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp", "self_pay",
)  # fmt: skip
CLAIM_TYPES = ("837P", "837I")
CONFLICT_POLICIES = ("primary", "cms")
DEFAULT_FILE = "default_config.toml"


SECTIONS = (
    "clinic",
    "billing",
    "payers",
    "charges",
    "rules",
    "x12",
    "security",
    "database",
    "operator",
    "targets",
    "sla",
    "alerts",
    "costs",
    "clearinghouse",
)
_CLINIC_KEYS = ("name", "npi", "tin", "taxonomy", "timezone", "address", "phone", "remit_to")
_ADDRESS_KEYS = ("line1", "line2", "city", "state", "zip")
_BILLING_KEYS = ("unit_method_conflict",)
_RULES_KEYS = ("select", "ignore")
# Envelope settings of the X12 files ptrcm writes (837, 270); see services/claims/output.py.
_X12_KEYS = ("sender_id", "receiver_id", "submitter_name", "contact_name", "contact_phone",
             "usage")  # fmt: skip

# Sessions and sign-in lockout (whole numbers; bounds: ptrcm.services.access.policy).
_SECURITY_KEYS = ("session_idle_minutes", "session_lifetime_hours", "lockout_failures",
                  "lockout_window_minutes", "lockout_minutes", "address_failures")  # fmt: skip
# Deployment: the app's database URL and the owner's, for migrations (docs/database.md);
# who the command line acts as (docs/security.md). Environment variables win over both.
_DATABASE_KEYS = ("url", "migrate_url")
_OPERATOR_KEYS = ("user",)

_PAYER_KEYS = {
    "name", "class", "pack", "payer_code", "claim_type", "unit_method", "timely_filing_days",
    "visit_limit_per_year", "auth_required", "fee_schedule",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Clinic:
    name: str
    npi: str
    tin: str
    taxonomy: str
    timezone: str
    address: Address
    phone: str | None = None  # printed on statements
    remit_to: Address | None = None  # where patients mail payments (default: the address)


@dataclass(frozen=True, slots=True)
class PayerConfig:
    payer_id: str
    name: str
    payer_class: str
    pack: str
    payer_code: str
    claim_type: str
    unit_method: UnitMethod
    timely_filing_days: int
    visit_limit_per_year: int | None
    auth_required: bool
    fee_schedule: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Config:
    source: str
    clinic: Clinic
    payers: Mapping[str, PayerConfig]
    charges: Mapping[str, Money]
    default_charge: Money
    unit_method_conflict: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    # [x12]: envelope settings for files ptrcm writes (sender_id, receiver_id, usage, ...).
    x12: Mapping[str, Any] = field(default_factory=dict)
    # [security]: session and lockout numbers, each a whole number (docs/security.md).
    security: Mapping[str, int] = field(default_factory=dict)
    # [database] url / migrate_url; [operator] user.
    database: Mapping[str, str] = field(default_factory=dict)
    operator: str | None = None
    # [targets]: KPI targets (decimals) for every organization, [targets.<slug>] for one;
    # engagement_start, the day the engagement's trend counts from. [sla]: days per level.
    targets: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    engagement_start: date | None = None
    sla: Mapping[str, int] = field(default_factory=dict)
    # [alerts]: who owns a systemic-denial event, by when, and where it is sent.
    alerts: AlertSettings = field(default_factory=AlertSettings)
    # [costs]: the revenue cycle's monthly cost (staff, technology, overhead) in dollars.
    costs: Mapping[str, Money] = field(default_factory=dict)

    # [clearinghouse.<name>]: SFTP connectors (ptrcm.domain.clearinghouse).
    clearinghouses: Mapping[str, Connector] = field(default_factory=dict)

    def targets_for(self, org: str) -> dict[str, Decimal]:
        """The targets in force for an organization: the shared ones, then its own."""
        return {**self.targets.get("", {}), **self.targets.get(org, {})}

    def payer(self, payer_id: str) -> PayerConfig | None:
        return self.payers.get(payer_id)

    def charge_for(self, code: str) -> Money:
        return self.charges.get(code, self.default_charge)


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def default_document() -> dict[str, Any]:
    """The built-in configuration (package data ``data/default_config.toml``), as parsed TOML."""
    text = resources.files("ptrcm.data").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The built-in default, with the file at ``path`` merged over it when given."""
    doc = default_document()
    source = "<built-in default>"
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(source, "-", f"cannot read the file ({exc.strerror})") from None
        try:
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, "-", f"not valid TOML: {exc}") from None
        doc = _merge(doc, user)
    return parse_config(doc, source)


def parse_config(doc: Mapping[str, Any], source: str) -> Config:
    for key in doc:
        if key not in SECTIONS:
            raise ConfigError(source, key, f"unknown section; expected one of {list(SECTIONS)}")
    clinic = _clinic(source, known(source, table_at(source, doc, "clinic"), "clinic", _CLINIC_KEYS))
    payers = {pid: _payer(source, pid, raw) for pid, raw in table_at(source, doc, "payers").items()}
    charges_raw = dict(table_at(source, doc, "charges"))
    default_raw = charges_raw.pop("default", "0.00")
    catalog = load_catalog()
    for code in charges_raw:
        if code not in catalog:
            raise ConfigError(
                source, f"charges.{code}", "unknown key: not a code of the therapy code catalog"
            )
    charges = {code: money(source, f"charges.{code}", v) for code, v in charges_raw.items()}
    billing = known(source, table_at(source, doc, "billing"), "billing", _BILLING_KEYS)
    conflict = billing.get("unit_method_conflict", "primary")
    if conflict not in CONFLICT_POLICIES:
        raise ConfigError(
            source, "billing.unit_method_conflict", f"must be one of {CONFLICT_POLICIES}"
        )
    rules = known(source, table_at(source, doc, "rules"), "rules", _RULES_KEYS)
    targets, engagement = parse_targets(source, table_at(source, doc, "targets"))
    return Config(
        source=source,
        clinic=clinic,
        payers=payers,
        charges=charges,
        default_charge=money(source, "charges.default", default_raw),
        unit_method_conflict=conflict,
        select=id_list(source, rules, "select"),
        ignore=id_list(source, rules, "ignore"),
        x12=strings(source, doc, "x12", _X12_KEYS),
        security=whole_numbers(
            source, known(source, table_at(source, doc, "security"), "security", _SECURITY_KEYS)
        ),
        database=strings(source, doc, "database", _DATABASE_KEYS),
        operator=strings(source, doc, "operator", _OPERATOR_KEYS).get("user"),
        targets=targets,
        engagement_start=engagement,
        sla=parse_sla(source, table_at(source, doc, "sla")),
        alerts=parse_alerts(source, table_at(source, doc, "alerts")),
        costs=parse_costs(source, table_at(source, doc, "costs")),
        clearinghouses=parse_connectors(source, table_at(source, doc, "clearinghouse")),
    )


def _clinic(source: str, raw: Mapping[str, Any]) -> Clinic:
    npi = text(source, raw, "npi", "clinic.npi")
    if not (npi.isdigit() and len(npi) == 10):
        raise ConfigError(source, "clinic.npi", "must be 10 digits")
    tin = text(source, raw, "tin", "clinic.tin").replace("-", "")
    if not (tin.isdigit() and len(tin) == 9):
        raise ConfigError(source, "clinic.tin", "must be 9 digits")
    addr = raw.get("address")
    if not isinstance(addr, Mapping):
        raise ConfigError(source, "clinic.address", "is required: {line1, city, state, zip}")
    known(source, addr, "clinic.address", _ADDRESS_KEYS)
    line2 = addr.get("line2")
    if line2 is not None and (not isinstance(line2, str) or not line2.strip()):
        raise ConfigError(source, "clinic.address.line2", "must be a non-empty string")
    address = Address(
        line1=text(source, addr, "line1", "clinic.address.line1"),
        city=text(source, addr, "city", "clinic.address.city"),
        state=text(source, addr, "state", "clinic.address.state"),
        zip=text(source, addr, "zip", "clinic.address.zip"),
        line2=None if line2 is None else line2.strip(),
    )
    if len(address.state) != 2:
        raise ConfigError(source, "clinic.address.state", "must be a two-letter state code")
    zip_code = address.zip.replace("-", "")
    if not (zip_code.isdigit() and len(zip_code) == 9):
        # 837P/837I 2010AA N403: the billing provider's ZIP is the nine-digit ZIP+4.
        raise ConfigError(
            source,
            "clinic.address.zip",
            "must be the nine-digit ZIP+4 (the 837 billing provider address, 2010AA N403,"
            ' requires it), e.g. "627010001"',
        )
    address = Address(address.line1, address.city, address.state, zip_code)
    phone = raw.get("phone")
    if phone is not None and (not isinstance(phone, str) or not phone.strip()):
        raise ConfigError(source, "clinic.phone", "must be a non-empty string")
    return Clinic(
        name=text(source, raw, "name", "clinic.name"),
        npi=npi,
        tin=tin,
        taxonomy=text(source, raw, "taxonomy", "clinic.taxonomy"),
        timezone=_timezone(source, text(source, raw, "timezone", "clinic.timezone")),
        address=address,
        phone=None if phone is None else phone.strip(),
        remit_to=_remit_to(source, raw.get("remit_to")),
    )


def _remit_to(source: str, raw: Any) -> Address | None:
    """``clinic.remit_to``: a mailing address (five- or nine-digit ZIP), or absent."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError(source, "clinic.remit_to", "must be {line1, city, state, zip}")
    known(source, raw, "clinic.remit_to", _ADDRESS_KEYS)
    line2 = raw.get("line2")
    if line2 is not None and (not isinstance(line2, str) or not line2.strip()):
        raise ConfigError(source, "clinic.remit_to.line2", "must be a non-empty string")
    found = Address(
        line1=text(source, raw, "line1", "clinic.remit_to.line1"),
        city=text(source, raw, "city", "clinic.remit_to.city"),
        state=text(source, raw, "state", "clinic.remit_to.state"),
        zip=text(source, raw, "zip", "clinic.remit_to.zip").replace("-", ""),
        line2=None if line2 is None else line2.strip(),
    )
    if len(found.state) != 2:
        raise ConfigError(source, "clinic.remit_to.state", "must be a two-letter state code")
    if not (found.zip.isdigit() and len(found.zip) in (5, 9)):
        raise ConfigError(source, "clinic.remit_to.zip", "must be a five- or nine-digit ZIP")
    return found


def _timezone(source: str, name: str) -> str:
    """An IANA time zone name: "today" for deadlines and aging is the clinic's date in it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            source, "clinic.timezone", f"unknown time zone {name!r} (e.g. America/Chicago)"
        ) from None
    return name


def _payer(source: str, pid: str, raw: object) -> PayerConfig:
    p = f"payers.{pid}"
    if not isinstance(raw, Mapping):
        raise ConfigError(source, p, "must be a table")
    cls = raw.get("class")
    if cls not in PAYER_CLASSES:
        raise ConfigError(source, f"{p}.class", f"must be one of {', '.join(PAYER_CLASSES)}")
    claim_type = raw.get("claim_type", "837P")
    if claim_type not in CLAIM_TYPES:
        raise ConfigError(source, f"{p}.claim_type", "must be 837P or 837I")
    method = raw.get("unit_method", "cms" if cls == "medicare" else "ama")
    if method not in ("cms", "ama"):
        raise ConfigError(source, f"{p}.unit_method", 'must be "cms" or "ama"')
    filing = raw.get("timely_filing_days", 365)
    if isinstance(filing, bool) or not isinstance(filing, int) or filing <= 0:
        raise ConfigError(source, f"{p}.timely_filing_days", "must be a positive whole number")
    limit = raw.get("visit_limit_per_year")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigError(source, f"{p}.visit_limit_per_year", "must be a whole number")
    auth = raw.get("auth_required", False)
    if not isinstance(auth, bool):
        raise ConfigError(source, f"{p}.auth_required", "must be true or false")
    fee = raw.get("fee_schedule")
    if fee is not None and not isinstance(fee, str):
        raise ConfigError(source, f"{p}.fee_schedule", "must be a file path")
    return PayerConfig(
        payer_id=pid,
        name=text(source, raw, "name", f"{p}.name") if "name" in raw else pid,
        payer_class=cls,
        pack=str(raw.get("pack", cls)),
        payer_code=str(raw.get("payer_code", pid)),
        claim_type=claim_type,
        unit_method=UnitMethod(method),
        timely_filing_days=filing,
        visit_limit_per_year=limit,
        auth_required=auth,
        fee_schedule=fee,
        overrides={k: v for k, v in raw.items() if k not in _PAYER_KEYS},
    )
