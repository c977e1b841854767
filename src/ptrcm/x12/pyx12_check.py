"""pyx12 (a test-time and ``ptrcm x12 validate`` oracle) run on X12 text, errors as a list.

For every X12 engineer: ``pyx12_errors(text)`` returns every problem pyx12 4.x reports
through its Python API (``pyx12.x12n_document.x12n_document``) for 835, 837P/837I, 999 and
any other set it has a map for: messages pyx12 logs at error level plus the errors in its
JSON error report. An empty list means the file validated cleanly. The 837 tests may call
this instead of keeping their own wrapper. pyx12 is a dev dependency, so it is imported
only when called; ``pyx12_available()`` says whether it can be.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
from typing import Any


class Pyx12NoMap(LookupError):
    """pyx12 ships no implementation-guide map for the file's version: it cannot judge it."""


def pyx12_available() -> bool:
    """True when the pyx12 package can be imported."""
    return importlib.util.find_spec("pyx12") is not None


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append(record.getMessage())


def _walk(node: Any, found: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
    elif isinstance(node, dict):
        for err in node.get("errors") or []:
            found.append(json.dumps(err, sort_keys=True) if not isinstance(err, str) else err)
        for key, value in node.items():
            if key != "errors" and isinstance(value, list | dict):
                _walk(value, found)


def pyx12_errors(text: str) -> list[str]:
    """Every error pyx12 reports for ``text`` (a BOM and indentation must be removed first).

    Raises ``Pyx12NoMap`` when pyx12 has no map for the version (e.g. 005010X279A1, 4010).
    """
    import pyx12.params
    import pyx12.x12n_document

    logger = logging.getLogger("pyx12")
    handler = _Errors()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    report = io.StringIO()
    try:
        valid = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), None, None, fd_json=report
        )
    except Exception as exc:  # pyx12 raises EngineError when it ships no map for the version
        if "Map not found" in str(exc):
            raise Pyx12NoMap(str(exc)) from None
        return [f"pyx12 could not validate the file: {exc}"]
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    found = handler.found
    if report.getvalue().strip():
        _walk(json.loads(report.getvalue()), found)
    if not valid and not found:
        found.append("pyx12 found the file invalid (no detail given)")
    return found
