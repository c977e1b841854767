"""The web app reaches data one way: routes read ``WebData``; only the wiring modules that
build it open the store. A route module importing ``ptrcm.store`` would be a second way."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[3] / "src" / "ptrcm" / "web"
WIRING = {"store_data.py", "store_front_desk.py", "store_access.py", "tenant.py"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_only_the_wiring_modules_import_the_store() -> None:
    reaching = {
        p.name
        for p in WEB.glob("*.py")
        if any(m == "ptrcm.store" or m.startswith("ptrcm.store.") for m in _imports(p))
    }
    assert reaching <= WIRING, sorted(reaching - WIRING)


def test_no_sample_figures_ship_in_the_package() -> None:
    assert not (WEB / "sample.py").exists()
    for path in WEB.glob("*.py"):
        assert "sample" not in {m.rsplit(".", 1)[-1] for m in _imports(path)}, path.name
