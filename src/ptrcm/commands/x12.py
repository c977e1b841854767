"""`ptrcm x12 ...`: X12 files in and out.

Created minimally by the claims-out work so `write-837` has a home; the X12-core module
(`read`, `validate`) extends this app.
"""

from __future__ import annotations

import typer

from ptrcm.commands.x12_read import read, validate
from ptrcm.commands.x12_write import write_837

app = typer.Typer(
    help="X12 5010 files: read, validate, write claims (837P/837I).", no_args_is_help=True
)
app.command("read")(read)
app.command("validate")(validate)
app.command("write-837")(write_837)
