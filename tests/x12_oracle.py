"""pyx12 as a test-time oracle: every 837 ptrcm writes must validate with zero errors.

``pyx12_errors`` runs pyx12's validator (x12n_document) on a text and returns every
problem it reports: the messages pyx12 logs at error level and the errors its JSON error
report carries at interchange, group, transaction and segment level. A broken file is
known to produce errors (tests/unit/x12/test_oracle.py), so an empty list means something.

``pyx12_answer_errors`` is the check for what a payer sends back (999, 277CA, 835): pyx12
validates them but cannot write a 999 about a 999, or about an 835 without ST03, so only
its validation errors count there.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pyx12.params
import pyx12.x12n_document


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _json_errors(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        for err in node.get("errors", []) or []:
            found.append(json.dumps(err, sort_keys=True))
        for value in node.values():
            if isinstance(value, list | dict):
                _json_errors(value, found)
    elif isinstance(node, list):
        for item in node:
            _json_errors(item, found)


def pyx12_errors(text: str) -> list[str]:
    """Every error pyx12 reports for the X12 text (empty when it validates cleanly)."""
    logger = logging.getLogger("pyx12")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False
    try:
        report = io.StringIO()
        ack = io.StringIO()
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), ack, None, fd_json=report
        )
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
    found = list(handler.messages)
    raw = report.getvalue()
    if raw.strip():
        _json_errors(json.loads(raw), found)
    if not ok and not found:
        found.append("pyx12 reported the file invalid without a message")
    if "AK9*A*" not in ack.getvalue() and not found:
        found.append("pyx12's acknowledgment did not accept every transaction set")
    return found


def pyx12_answer_errors(text: str) -> list[str]:
    """pyx12's validation errors for a 999, 277CA or 835 (empty when it validates)."""
    seen: list[str] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR and "999 response" not in record.getMessage():
                seen.append(record.getMessage())

    logger = logging.getLogger("pyx12")
    handler = Grab()
    logger.addHandler(handler)
    try:
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), io.StringIO(), None
        )
    finally:
        logger.removeHandler(handler)
    return seen if ok or seen else ["pyx12 rejected the file"]
