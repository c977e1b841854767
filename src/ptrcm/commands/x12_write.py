"""`ptrcm x12 write-837 VISITS.jsonl --out FILE`: claims out as X12 5010 837P/837I."""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import out

OUT_HELP = (
    "Output file. When the visits need both 837P and 837I (by each payer's claim_type),"
    " two files are written beside it: NAME.837P.EXT and NAME.837I.EXT."
)


def write_837(
    visits_file: Annotated[str, typer.Argument(help="Visit interchange file (JSON Lines).")],
    out_file: Annotated[str, typer.Option("--out", help=OUT_HELP)],
    config: Annotated[str | None, typer.Option(help="ptrcm.toml (default: built-in).")] = None,
) -> None:
    """Build claims from visits and write a valid 5010 837P/837I batch."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ptrcm.bootstrap import build_context
    from ptrcm.services.claim_output import write_837_files

    ctx = build_context(config)
    now = datetime.now(ZoneInfo(ctx.config.clinic.timezone)).replace(tzinfo=None)
    for written in write_837_files(visits_file, out_file, ctx.config, ctx.catalog, now):
        out.print(f"{written.path}: {written.claim_type}, {written.claims} claims", markup=False)
