"""EMR imports wired to the intake service: each adapter's records go through
``services.intake.visits.import_records``, the path a JSONL file takes, so a visit from
HL7, FHIR or CSV is checked, stored, compared and versioned as a JSONL visit is."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from datetime import date

from ptrcm.errors import BusyError, InputError, PtrcmError
from ptrcm.interfaces.csv_read import Mapping_, read_csv_file
from ptrcm.interfaces.fhir_layout import fhir_where
from ptrcm.interfaces.fhir_visit import read_fhir
from ptrcm.interfaces.hl7_layout import hl7_where
from ptrcm.interfaces.hl7_read import incoming, read_hl7_file
from ptrcm.interfaces.mllp import Answer
from ptrcm.services.intake.visits import ImportResult, import_records
from ptrcm.services.ports import ImportUnitOfWork

UnitOfWork = Callable[[], ImportUnitOfWork]


def import_hl7(
    unit_of_work: UnitOfWork,
    path: str | os.PathLike[str],
    *,
    quarantine: bool = False,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
) -> ImportResult:
    """Import a file of DFT^P03 messages: all or nothing, or each bad message quarantined."""
    records = read_hl7_file(path)
    return import_records(
        unit_of_work, str(path), records, quarantine=quarantine, payers=payers, as_of=as_of,
        relabel=hl7_where,
    )  # fmt: skip


def answer_message(
    unit_of_work: UnitOfWork,
    text: str,
    *,
    payers: Collection[str] | None = None,
    as_of: Callable[[], date] | None = None,
) -> Answer:
    """Import one message received over MLLP; its ACK code and the reason of an AE/AR.

    A bad message is quarantined (source ``mllp:<MSH-10>``) and answered AE; a database
    that is busy or fails answers AR so the sender sends the message again."""
    control = _control_id(text)
    source = f"mllp:{control}" if control else "mllp"
    record = incoming(text.replace("\n", "\r").replace("\r\r", "\r").strip("\r"), source, None)
    try:
        result = import_records(
            unit_of_work, source, [record], quarantine=True, payers=payers,
            as_of=as_of() if as_of else None, relabel=hl7_where,
        )  # fmt: skip
    except BusyError:
        return "AR", "the database is busy: send the message again"
    except InputError as exc:
        return "AE", _reason(str(exc.problems[0]), source)
    except PtrcmError:
        return "AR", "the message could not be stored: send it again"
    if result.quarantined:
        return "AE", _reason(str(result.problems[0]), source)
    return "AA", None


def _control_id(text: str) -> str:
    first = text.lstrip().split("\r", 1)[0].split("\n", 1)[0]
    fields = first.split("|")
    control = fields[9] if first.startswith("MSH|") and len(fields) > 9 else ""
    return control[:20] if control.replace("-", "").replace("_", "").isalnum() else ""


def _reason(problem: str, source: str) -> str:
    """A problem without its source prefix (the sender knows which message it sent)."""
    return problem.removeprefix(f"{source}: ")


def import_csv(
    unit_of_work: UnitOfWork,
    path: str | os.PathLike[str],
    mapping: Mapping_,
    *,
    quarantine: bool = False,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
) -> ImportResult:
    """Import a CSV export read with ``mapping``: all or nothing, or bad visits quarantined."""
    records = read_csv_file(path, mapping)
    return import_records(
        unit_of_work, str(path), records, quarantine=quarantine, payers=payers, as_of=as_of,
        relabel=mapping.where,
    )  # fmt: skip


def import_fhir(
    unit_of_work: UnitOfWork,
    path: str | os.PathLike[str],
    *,
    quarantine: bool = False,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
) -> ImportResult:
    """Import a Bulk Data folder or a Bundle: all or nothing, or bad visits quarantined."""
    records = read_fhir(path)
    return import_records(
        unit_of_work, str(path), records, quarantine=quarantine, payers=payers, as_of=as_of,
        relabel=fhir_where,
    )  # fmt: skip
