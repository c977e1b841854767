"""A posted primary 835 leaves a secondary 837P (with COB) in the outbox when the
patient has secondary coverage; the file validates with pyx12."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.store.repository import Store
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835 import model as rm
from tests.integration.posting.builders import (
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)
from tests.x12_oracle import pyx12_errors

SECONDARY = {"payer_id": "MEDICAID", "member_id": "MCD778899"}


def _primary(pcn: str) -> rm.ClaimPayment:
    return clp(
        pcn,
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    )


def test_a_patient_with_secondary_coverage_gets_a_valid_secondary_837(
    store: Store, tmp_path: Path
) -> None:
    org = seed(
        store, [visit("V-7", [("97110", 30)], secondary=SECONDARY), visit("V-8", [("97110", 30)])]
    )
    claims = [_primary("V-7"), _primary("V-8")]
    outbox = tmp_path / "outbox"
    result = post(store, org, write(tmp_path, "s.835", remittance(claims, "94.40")), outbox)
    assert result.secondary_claims == ["V-7"]
    assert result.outbox_file is not None and list(outbox.iterdir()) == [Path(result.outbox_file)]
    text = Path(result.outbox_file).read_text(encoding="ascii")
    assert pyx12_errors(text) == []
    # The primary's decision travels in 2320 (AMT*D paid) and 2430 (SVD, line CAS).
    assert "SBR*S*" in text and "AMT*D*47.2~" in text and "CAS*PR*2*11.8~" in text
    assert "SVD*MCRPB*47.2*HC:97110:GP**1~" in text
    (claim,) = read_x12(text).claims  # type: ignore[union-attr]
    assert claim.claim_id == "V-7" and claim.payer_id in ("MEDICAID", "MCAID")


def test_the_cli_posts_once_and_reports_the_second_run_as_already_posted(
    store: Store, tmp_path: Path, db_url: str
) -> None:
    seed(store, [visit("V-8", [("97110", 30)])], slug="default")
    path = write(tmp_path, "cli.835", remittance([_primary("V-8")], "47.20"))
    runner = CliRunner()
    args = ["remit", "post", str(path), "--db", db_url, "--outbox", str(tmp_path / "out")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "1 of 1 claims posted, paid 47.20" in first.output
    second = runner.invoke(app, [*args, "--format", "json"])
    assert second.exit_code == 0 and '"already_posted": true' in second.output
    with uow(store, store.organization_id("default") or 0) as work:
        assert work.ledger.balance("payer_payment") == Decimal("47.20")


def test_coverages_and_visits_read_for_many_claims_equal_the_one_at_a_time_reads(
    store: Store,
) -> None:
    # Posting reads a transaction's secondaries and visits in one statement each; the answer
    # must be what the per-claim reads give: the first row in force on the date, by row id.
    visits = [visit(i, [("97110", 30)]) for i in ("V-7", "V-8")]
    org = seed(store, [*visits, visit("V-9", [("97110", 30)], payer="MEDICAID")])
    rows = [
        {"external_id": "C-1", "patient": "P-V-7", "payer": "MEDICAID", "rank": "secondary",
         "member_id": "OLD", "start_date": None, "end_date": date(2026, 2, 28)},
        {"external_id": "C-2", "patient": "P-V-7", "payer": "MEDICAID", "rank": "secondary",
         "member_id": "NEW", "start_date": date(2026, 3, 1), "end_date": None},
        {"external_id": "C-3", "patient": "P-V-7", "payer": "MEDICARE", "rank": "secondary",
         "member_id": "LATER", "start_date": date(2026, 3, 1), "end_date": None},
        {"external_id": "C-4", "patient": "P-V-8", "payer": "MEDICAID", "rank": "primary",
         "member_id": "PRIMARY", "start_date": None, "end_date": None},
    ]  # fmt: skip
    with uow(store, org) as work:
        work.master.upsert("coverages", rows)
        work.commit()
    with uow(store, org) as work:
        records = work.claims.by_pcn(["V-7", "V-8"])
        patients = [records["V-7"].patient_id, records["V-8"].patient_id]
        wanted = [(p, d) for p in patients for d in (date(2026, 2, 1), date(2026, 3, 20))]
        many = work.coverage.secondaries(wanted)
        one = {k: work.coverage.secondary(*k) for k in wanted}
        read = work.visits.get_many(["V-8", "V-7", "V-404"])
        singles = {i: work.visits.get(i) for i in ("V-7", "V-8")}
    assert many == {k: v for k, v in one.items() if v is not None}
    assert many == {(patients[0], date(2026, 2, 1)): ("MEDICAID", "OLD"),
                    (patients[0], date(2026, 3, 20)): ("MEDICAID", "NEW")}  # fmt: skip
    assert read == singles and set(read) == {"V-7", "V-8"}
