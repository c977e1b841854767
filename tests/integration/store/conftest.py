"""Fixtures for the store tests: visit files and organizations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptrcm.store.repository import Store

WriteFile = Callable[..., Path]


@pytest.fixture
def write_visits(tmp_path: Path) -> WriteFile:
    """Write records (dicts, or raw strings for broken lines) as a JSON Lines file."""

    def write(records: list[dict[str, Any] | str], name: str = "visits.jsonl") -> Path:
        path = tmp_path / name
        lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def org_a(store: Store) -> int:
    return store.create_organization("clinic-a", "Clinic A")


@pytest.fixture
def org_b(store: Store) -> int:
    return store.create_organization("clinic-b", "Clinic B")
