"""requirements.lock pins, with hashes, every dependency pyproject.toml names (runtime and
dev): adding a dependency without `make lock` fails here rather than on a fresh install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        head = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if head:
            assert "--hash=sha256:" in block, f"{head.group(1)} is pinned without a hash"
            pins[_name(head.group(1))] = head.group(2)
    return pins


def test_every_declared_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _pinned()
    missing = sorted({_name(r) for r in declared} - pins.keys())
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
