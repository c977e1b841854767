"""Every NCCI pair and MUE row of the Medicare pack in force today, through a scrub.

Each pair billed together without a distinct-service modifier fires N001 on its
column-2 code and names where the pair comes from; with XU on the column-2 code it does
not. Each MUE row fires N003 one unit over its value, naming its MAI, and not at it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ptrcm.domain.codes import load_catalog
from ptrcm.rules.packs import builtin_packs

from .factory import base, findings

PACK = builtin_packs()["medicare"].for_date(date(2026, 3, 2))
PAIRS = [dict(r) for r in PACK.params["ncci_pairs"]]
MUES = [dict(r) for r in PACK.params["mue"]]
CATALOG = load_catalog()


def _service(code: str, units: int = 1, mods: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "units": units}
    if CATALOG.is_timed(code):
        out["minutes"] = 15 * units
    if mods:
        out["modifiers"] = ["GP", *mods]
    return out


def _visit(*services: dict[str, Any]) -> dict[str, Any]:
    timed = sum(int(s.get("minutes", 0)) for s in services)
    return base(services=list(services), total_timed_minutes=timed)


def _pair_id(row: dict[str, Any]) -> str:
    return f"{row['column1']}-{row['column2']}"


@pytest.mark.parametrize("row", PAIRS, ids=_pair_id)
def test_each_pair_names_its_source_and_quarter(row: dict[str, Any]) -> None:
    assert row.get("source"), row
    assert row.get("quarter"), row
    assert row["confidence"] in {"C", "S", "U"}


@pytest.mark.parametrize("row", PAIRS, ids=_pair_id)
def test_each_pair_fires_n001_on_its_column_two_code(row: dict[str, Any]) -> None:
    hits = findings("N001", _visit(_service(row["column1"]), _service(row["column2"])))
    (hit,) = [h for h in hits if h.code == row["column2"]]
    assert f"bundled into {row['column1']}" in hit.message
    if row["confidence"] == "U":
        assert "unverified" in hit.message
    if row["quarter"] != "unverified":
        assert f"PTP edit {row['quarter']}" in hit.message


@pytest.mark.parametrize("row", PAIRS, ids=_pair_id)
def test_each_pair_is_silent_with_xu_on_the_column_two_code(row: dict[str, Any]) -> None:
    record = _visit(_service(row["column1"]), _service(row["column2"], mods=("XU",)))
    assert [h for h in findings("N001", record) if h.code == row["column2"]] == []


@pytest.mark.parametrize("row", MUES, ids=lambda r: str(r["code"]))
def test_each_mue_fires_one_unit_over_and_names_its_mai(row: dict[str, Any]) -> None:
    over = row["max_units"] + 1
    (hit,) = findings("N003", _visit(_service(row["code"], over)))
    assert f"MUE allows {row['max_units']}" in hit.message
    assert f"MAI {row['mai']}" in hit.message
    assert row.get("source") and row.get("quarter")


@pytest.mark.parametrize("row", MUES, ids=lambda r: str(r["code"]))
def test_each_mue_is_silent_at_its_value(row: dict[str, Any]) -> None:
    assert findings("N003", _visit(_service(row["code"], row["max_units"]))) == []


def test_every_pack_version_names_the_source_and_quarter_of_each_pair_and_mue() -> None:
    for name, series in builtin_packs().items():
        for version in series.versions:
            for table in ("ncci_pairs", "mue"):
                for row in version.params.get(table, ()):
                    assert row.get("source") and row.get("quarter"), (name, table, row)
