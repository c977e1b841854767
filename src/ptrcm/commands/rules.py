"""`ptrcm rules list|docs`: the rule catalog for people and scripts, and docs/rules.md."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail

app = typer.Typer(help="The scrubber's rule catalog.", no_args_is_help=True)


@app.command("list")
def list_rules(
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.text,
) -> None:
    """Every rule: id, default severity, title and the source it enforces."""
    from ptrcm.rules.catalog import all_rules
    from ptrcm.rules.reference import rule_json

    rules = all_rules()
    if fmt is OutputFormat.json:
        emit_json([rule_json(r) for r in rules])
        return
    for r in rules:
        sys.stdout.write(f"{r.id}  {r.severity.value:<7}  {r.title}  ({r.source})\n")


@app.command("docs")
def docs(
    out: Annotated[str | None, typer.Option(help="Write here instead of stdout.")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when --out differs from the catalog.")
    ] = False,
) -> None:
    """Generate the rules reference (docs/rules.md) from the catalog and the packs."""
    from ptrcm.rules.catalog import all_rules
    from ptrcm.rules.packs import builtin_packs
    from ptrcm.rules.reference import render_rules_markdown

    text = render_rules_markdown(all_rules(), builtin_packs())
    if out is None:
        sys.stdout.write(text)
        return
    path = Path(out)
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            raise fail(f"{out} is stale: run `ptrcm rules docs --out {out}`", code=1)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"{out}: cannot write ({exc.strerror})") from None
