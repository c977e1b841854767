"""`ptrcm x12 read FILE` and `ptrcm x12 validate FILE`: X12 files in.

Exit codes: 0 readable and clean, 1 findings to act on (`read`: an error-severity finding
in the file; `validate`: any envelope, balancing or pyx12 finding), 2 unreadable (one line
naming the file, segment number and segment id).

`read` prints patient data for every kind but the 999: when a database is configured
(``--db``, PTRCM_DATABASE_URL, ``[database] url``, or ./ptrcm.db exists) the read is
recorded in its audit trail first, naming the file by its SHA-256 (docs/security.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, disclose, emit_json, fail, opened, out
from ptrcm.commands.options import Config, Db, Org

NO_PHI_KINDS = frozenset({"999"})  # control numbers and syntax errors only
FILE_HELP = "An X12 file: 835, 837P, 837I, 999, 277CA, 277, 271 (270, 276, 278 as segments)."


def _load(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise fail(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def read(
    file: Annotated[str, typer.Argument(help=FILE_HELP)],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="json model or text summary.")] = (
        OutputFormat.json
    ),
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Parse an X12 file into its typed model (JSON: amounts as strings, dates ISO).

    The model is printed even when the file has findings; exit 1 when one of them is an
    error (an unbalanced claim, a wrong count, a skipped claim), 0 otherwise. A file with
    patient data is recorded as read in the database's audit trail, when there is one.
    """
    from ptrcm.x12.errors import X12Error
    from ptrcm.x12.jsonify import to_jsonable
    from ptrcm.x12.read import collector_paused, read_x12
    from ptrcm.x12.summary import summarize

    data = _load(file)
    try:
        document = read_x12(data, Path(file).name)
    except X12Error as exc:
        raise fail(str(exc)) from None
    if document.kind not in NO_PHI_KINDS:
        _record_read(data, document.kind, db, org, config)
    if fmt is OutputFormat.json:
        with collector_paused():  # the JSON tree is acyclic, like the model it mirrors
            emit_json(to_jsonable(document))
    else:
        for line in summarize(document):
            out.print(line, markup=False, soft_wrap=True)
    if any(f.severity == "error" for f in document.findings):
        raise typer.Exit(1)


def _record_read(data: bytes, kind: str, db: str | None, org: str, config: str | None) -> None:
    """The audit row for a read of an X12 file, in the configured database; none is
    written where no database is configured (a file read on its own, outside any system)."""
    import hashlib

    from ptrcm.bootstrap import DEFAULT_DB_URL, missing_sqlite_file

    with opened(config=config, db=db, org=org) as root:
        configured = db or root.config.database.get("url")
        if configured is None and missing_sqlite_file(DEFAULT_DB_URL) is not None:
            return
        digest = hashlib.sha256(data).hexdigest()
        disclose(root, "x12_files", digest[:16], kind=kind, sha256=digest)


def validate(
    file: Annotated[str, typer.Argument(help=FILE_HELP)],
    pyx12: Annotated[bool, typer.Option(help="Also run pyx12 when it is installed.")] = True,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.text,
) -> None:
    """Check envelope counts and control numbers, 835 balancing, and pyx12 when installed."""
    from ptrcm.x12.errors import X12Error
    from ptrcm.x12.pyx12_check import pyx12_available
    from ptrcm.x12.validate import validate_x12

    try:
        report = validate_x12(_load(file), Path(file).name, use_pyx12=pyx12)
    except X12Error as exc:
        raise fail(str(exc)) from None
    if fmt is OutputFormat.json:
        data: dict[str, Any] = {
            "file": file,
            "kind": report.kind,
            "ok": report.ok,
            "findings": [
                {
                    "severity": f.severity,
                    "segment": f.segment,
                    "segment_id": f.segment_id,
                    "message": f.message,
                }
                for f in report.findings
            ],
            "pyx12_available": pyx12_available(),
            "pyx12_errors": None if report.pyx12 is None else list(report.pyx12),
            "pyx12_note": report.pyx12_note,
        }
        emit_json(data)
    else:
        out.print(f"{file}: {report.kind}", markup=False, soft_wrap=True)
        for finding in report.findings:
            out.print(f"  {finding}", markup=False, soft_wrap=True)
        if report.pyx12 is None:
            out.print(f"  pyx12: {report.pyx12_note}", markup=False, soft_wrap=True)
        else:
            out.print(f"  pyx12: {len(report.pyx12)} errors", markup=False, soft_wrap=True)
            for message in report.pyx12:
                out.print(f"    {message}", markup=False, soft_wrap=True)
        out.print("ok" if report.ok else "findings: see above", markup=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)
