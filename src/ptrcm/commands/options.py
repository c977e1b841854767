"""The options most commands share, declared once (``Annotated`` aliases for Typer).

A command writes ``db: Db = None, org: Org = DEFAULT_ORG`` and gets the same flag, help text
and environment variable as every other command. ``As`` is the root's own option
(``ptrcm --as USER COMMAND ...``): who acts is said once for the whole command line.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat

DB_HELP = (
    "Database URL (default: sqlite:///ptrcm.db). A SQLite file must exist already, except"
    " for the commands that load data (import, demo, db upgrade, db add-org)."
)
ORG_HELP = "Organization (tenant) slug; the default organization is created on first use."
CONFIG_HELP = "ptrcm.toml (default: ./ptrcm.toml when there is one, else the built-in one)."
AS_OF_HELP = "The day deadlines are measured to (YYYY-MM-DD; default: today in the clinic)."
FORMAT_HELP = "text for people, json for scripts."
AS_HELP = (
    "The user this command acts as, named in the audit trail. Required when the database"
    " has user accounts (it must be an active user of --org); default: \\[operator] user in"
    " ptrcm.toml."
)
OWNER_DB_HELP = (
    "The owner's database URL, for migrations and roles (default: PTRCM_MIGRATE_URL, else"
    " \\[database] migrate_url, else the app's URL)."
)

Db = Annotated[str | None, typer.Option("--db", envvar="PTRCM_DATABASE_URL", help=DB_HELP)]
Org = Annotated[str, typer.Option("--org", envvar="PTRCM_ORG", help=ORG_HELP)]
Config = Annotated[str | None, typer.Option("--config", envvar="PTRCM_CONFIG", help=CONFIG_HELP)]
Fmt = Annotated[OutputFormat, typer.Option("--format", help=FORMAT_HELP)]
AsOf = Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)]
As = Annotated[str | None, typer.Option("--as", envvar="PTRCM_OPERATOR", help=AS_HELP)]
OwnerDb = Annotated[
    str | None,
    typer.Option("--db", "--owner-url", envvar="PTRCM_MIGRATE_URL", help=OWNER_DB_HELP),
]
