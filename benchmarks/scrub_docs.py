"""Write one block of the "Scrubber accuracy and speed" section of docs/benchmarks.md.

The section holds two blocks between HTML comment markers, one per benchmark script, so
each script replaces only its own block and nothing else in the file changes.
"""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADING = "## Scrubber accuracy and speed"
INTRO = (
    "`benchmarks/scrub.py` (speed) and `benchmarks/scrub_accuracy.py` (accuracy) write the"
    " two blocks below; each replaces only its own block."
)


def _markers(kind: str) -> tuple[str, str]:
    return f"<!-- scrub:{kind}:start -->", f"<!-- scrub:{kind}:end -->"


def write_section(kind: str, body: str) -> None:
    """Replace the ``kind`` block ("speed" or "accuracy") with ``body``."""
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else "# Benchmarks\n"
    if HEADING not in text:
        blocks = "\n\n".join("\n".join(_markers(k)) for k in ("speed", "accuracy"))
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{INTRO}\n\n{blocks}\n"
    start, end = _markers(kind)
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{body.strip()}\n{end}{tail}", encoding="utf-8")
