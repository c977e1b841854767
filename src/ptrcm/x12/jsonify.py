"""Typed X12 documents as JSON-ready data: Money and Decimal as strings, dates ISO.

Conversion dispatches on the exact type through a table filled once per type, so a
100,000-claim 835 is not walked through a chain of ``isinstance`` tests for every value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain.money import Money

Converter = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _sequence(value: Any) -> list[Any]:
    return [to_jsonable(v) for v in value] if value else []


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): to_jsonable(v) for k, v in value.items()}


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _iso(value: date) -> str:
    return value.isoformat()


_CONVERTERS: dict[type, Converter] = {
    type(None): _same,
    str: _same,
    bool: _same,
    int: _same,
    Money: str,
    Decimal: _decimal,
    tuple: _sequence,
    list: _sequence,
    dict: _mapping,
}


_PLAIN = frozenset({type(None), str, bool, int})


def _dataclass_converter(names: tuple[str, ...]) -> Converter:
    plain, table, fallback = _PLAIN, _CONVERTERS, _converter_for

    def convert(value: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in names:
            field = getattr(value, name)
            kind = type(field)
            if kind in plain:
                out[name] = field
            else:
                out[name] = (table.get(kind) or fallback(kind))(field)
        return out

    return convert


def _converter_for(kind: type) -> Converter:
    """The converter for a type not in the table yet (subclasses, dataclasses), cached."""
    converter: Converter
    if issubclass(kind, str | bool | int):
        converter = _same
    elif issubclass(kind, Money):
        converter = str
    elif issubclass(kind, Decimal):
        converter = _decimal
    elif issubclass(kind, date):
        converter = _iso
    elif issubclass(kind, tuple | list):
        converter = _sequence
    elif issubclass(kind, dict):
        converter = _mapping
    elif dataclasses.is_dataclass(kind):
        converter = _dataclass_converter(tuple(f.name for f in dataclasses.fields(kind)))
    else:
        converter = str
    _CONVERTERS[kind] = converter
    return converter


def to_jsonable(value: Any) -> Any:
    """A dataclass tree as dicts, lists, strings, numbers, booleans and None."""
    converter = _CONVERTERS.get(type(value))
    if converter is None:
        converter = _converter_for(type(value))
    return converter(value)
