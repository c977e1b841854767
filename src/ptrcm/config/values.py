"""Typed values read from a ``ptrcm.toml`` table: every bad one is a ConfigError naming the
file and the dotted key, and a table's unknown key is an error, never ignored."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ptrcm.domain.money import Money
from ptrcm.errors import ConfigError


def whole_numbers(source: str, table: Mapping[str, Any]) -> dict[str, int]:
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(source, f"security.{key}", "must be a whole number of 1 or more")
    return dict(table)


def known(
    source: str, table: Mapping[str, Any], path: str, keys: tuple[str, ...]
) -> Mapping[str, Any]:
    """``table`` when every key in it is one of ``keys``; else the error naming the first
    unknown key (a misspelt key must not be silently ignored)."""
    for key in table:
        if key not in keys:
            raise ConfigError(
                source, f"{path}.{key}", f"unknown key; expected one of {', '.join(keys)}"
            )
    return table


def strings(
    source: str, doc: Mapping[str, Any], section: str, keys: tuple[str, ...]
) -> dict[str, str]:
    table = known(source, table_at(source, doc, section), section, keys)
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(source, f"{section}.{key}", "must be a non-empty string")
    return {key: value.strip() for key, value in table.items()}


def table_at(source: str, doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(source, key, "must be a table")
    return value


def text(source: str, table: Mapping[str, Any], key: str, path: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(source, path, "is required and must be a non-empty string")
    return value.strip()


def money(source: str, key: str, value: object) -> Money:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ConfigError(source, key, 'must be a decimal string such as "55.00"')
    try:
        money = Money.of(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(source, key, str(exc)) from None
    if money.amount < Decimal(0):
        raise ConfigError(source, key, "must not be negative")
    return money


def id_list(source: str, rules: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = rules.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(source, f"rules.{key}", "must be a list of rule ids or prefixes")
    return tuple(v.strip().upper() for v in value)
