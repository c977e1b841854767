"""The web tests' HTTP client is installed by a fresh clone: starlette's TestClient runs on
httpx2, and with only plain httpx it emits a deprecation warning, which this suite's
``filterwarnings = error`` turns into an error in every web test."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_httpx2_is_a_dev_dependency_pinned_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dev = {re.split(r"[<>=!~ ]", r, maxsplit=1)[0] for r in project["optional-dependencies"]["dev"]}
    assert "httpx2" in dev
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert re.search(r"^httpx2==\S+ \\\n\s+--hash=sha256:", lock, re.MULTILINE)
