"""`ptrcm x12 write-837 VISITS.jsonl --out FILE`: claims out as X12 5010 837P/837I."""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import opened, out
from ptrcm.commands.options import Config

OUT_HELP = (
    "Output file. When the visits need both 837P and 837I (by each payer's claim_type),"
    " two files are written beside it: NAME.837P.EXT and NAME.837I.EXT."
)


def write_837(
    visits_file: Annotated[str, typer.Argument(help="Visit interchange file (JSON Lines).")],
    out_file: Annotated[str, typer.Option("--out", help=OUT_HELP)],
    config: Config = None,
) -> None:
    """Build claims from visits and write a valid 5010 837P/837I batch."""
    from ptrcm.services.claims.output import write_837_files

    with opened(config=config) as root:
        now = root.clock.now().replace(tzinfo=None)  # the envelope's date and time: the clinic's
        written = write_837_files(visits_file, out_file, root.config, root.catalog, now)
    for one in written:
        out.print(f"{one.path}: {one.claim_type}, {one.claims} claims", markup=False)
