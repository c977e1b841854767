"""Shared pieces of the command line: consoles, output formats, errors, JSON output."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class Method(StrEnum):
    cms = "cms"
    ama = "ama"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line reason to stderr and return the Exit to raise (exit code 2)."""
    report_error(message)
    return typer.Exit(code)


def report_error(message: str) -> None:
    """One unwrapped line on stderr, whatever the terminal width."""
    sys.stderr.write(f"ptrcm: error: {message}\n")


def emit_json(data: Any) -> None:
    """Machine-readable output: JSON on stdout (Decimals and dates as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
