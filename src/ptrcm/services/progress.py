"""How a long-running service reports how far it has got, without knowing who listens.

A service takes an optional :class:`Progress` and calls ``phase(name, total)`` when it
starts (or returns to) a phase of ``total`` steps and ``advance(n)`` as steps finish. The
edge renders it (the CLI draws a bar per phase, or prints one line per phase when its
output is not a terminal); services never import a renderer.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None:
        """Make ``name`` the current phase; the first call for a name sets its total."""

    def advance(self, n: int = 1) -> None:
        """``n`` more steps of the current phase are done."""


class NoProgress:
    """Progress nobody watches."""

    def phase(self, name: str, total: int) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None
