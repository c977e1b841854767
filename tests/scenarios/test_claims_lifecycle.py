"""The claim lifecycle, one table on three backends: a week's visits in, each claim's states
and its 837 SV1 lines out, exact, on the in-memory fake (no database), SQLite and
PostgreSQL. The services are the real ones (``build_claims``, ``scrub_claims`` with safe
fixes, ``release_claim``, ``submit_claims``); only the unit of work changes.

Every visit is the shared base (``tests.builders.visits.billable``: Medicare, PT, 97110 30
minutes and 97140 10, DOS 2026-03-02) with one thing changed. Charges are the built-in
charge master's: 97110 55.00, 97112 58.00, 97140 56.00, 97530 60.00, G0283 25.00 a unit.
The scrub runs the next day (2026-03-03); its findings and the fixes are the shipped rules'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ptrcm.bootstrap import build_context
from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.stored_claims import LineRecord
from ptrcm.errors import InputError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from tests.builders.visits import Record, assistant, billable, services
from tests.scenarios.backends import BACKENDS, Factory, claims_lifecycle

CONTEXT = build_context()
NOW = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)  # the lifecycle's clock: the day after the visits
SCRUBBED_ON = date(2026, 3, 3)
THERAPIST = {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"}
SENT = ("built", "scrubbed", "ready", "submitted")
FIXED = ("built", "scrubbed", "held", "scrubbed", "ready", "submitted")


@dataclass(frozen=True)
class Case:
    name: str
    visit: Record
    states: tuple[str, ...]  # every state the claim moved to, in order (none: no claim)
    sv1: tuple[str, ...] = ()  # its SV1 segments in the 837 (none: not submitted)
    release: str = ""  # the reason a biller gives to release it once held


def _visit(visit_id: str, **changes: Any) -> Record:
    return billable(visit_id=visit_id, patient_id=f"P-{visit_id}", **changes)


CASES = (
    Case(
        "a clean visit goes out as built: 40 minutes are 3 units under the 8-minute rule",
        _visit("V-CLEAN"),
        SENT,
        ("SV1*HC:97110:GP*110*UN*2***1:2", "SV1*HC:97140:GP*56*UN*1***1:2"),
    ),
    Case(
        "a PTA's minutes put CQ beside GP on the line they furnished (Medicare)",
        _visit(
            "V-PTA",
            rendering=assistant("PTA"),
            supervising=THERAPIST,
            services=services(("97110", 30, 30), ("97140", 10)),
        ),
        SENT,
        ("SV1*HC:97110:GP:CQ*110*UN*2***1:2", "SV1*HC:97140:GP*56*UN*1***1:2"),
    ),
    Case(
        "the commercial pack asks no CQ: the same PTA visit is billed GP, as scrubbed",
        _visit(
            "V-PTAC",
            payer_id="COMMERCIAL",
            member_id="C123",
            rendering=assistant("PTA"),
            supervising=THERAPIST,
            services=services(("97110", 30, 30), ("97140", 10)),
        ),
        SENT,
        ("SV1*HC:97110:GP*110*UN*2***1:2", "SV1*HC:97140:GP*56*UN*1***1:2"),
    ),
    Case(
        "telehealth (POS 02) takes the pack's modifier 95 on every line",
        _visit("V-TELE", place_of_service="02", services=services(("97110", 25), ("97112", 15))),
        SENT,
        ("SV1*HC:97110:GP:95*110*UN*2***1:2", "SV1*HC:97112:GP:95*58*UN*1***1:2"),
    ),
    Case(
        "KX billed past the 2026 threshold (2,480.00) stays on the lines",
        _visit(
            "V-KX",
            kx_ytd_allowed="2470.00",
            services=[
                {"code": "97110", "minutes": 30, "modifiers": ["GP", "KX"]},
                {"code": "97140", "minutes": 10, "modifiers": ["GP", "KX"]},
            ],
        ),
        SENT,
        ("SV1*HC:97110:GP:KX*110*UN*2***1:2", "SV1*HC:97140:GP:KX*56*UN*1***1:2"),
    ),
    Case(
        "59 on the column-2 code of an NCCI pair (97140/97530) goes out as billed",
        _visit(
            "V-59",
            services=[
                {"code": "97140", "minutes": 15},
                {"code": "97530", "minutes": 15, "modifiers": ["GP", "59"]},
            ],
        ),
        SENT,
        ("SV1*HC:97140:GP*56*UN*1***1:2", "SV1*HC:97530:GP:59*60*UN*1***1:2"),
    ),
    Case(
        "3 units billed for 30 minutes: held (U002), fixed to 2, scrubbed again, ready",
        _visit(
            "V-UNITS",
            services=[
                {"code": "97110", "minutes": 30, "units": 3},
                {"code": "97140", "minutes": 10},
            ],
        ),
        FIXED,
        ("SV1*HC:97110:GP*110*UN*2***1:2", "SV1*HC:97140:GP*56*UN*1***1:2"),
    ),
    Case(
        "97014 is not a Medicare code: held (N004), replaced by G0283, ready",
        _visit("V-G0283", services=services(("97110", 30), ("97014", 15)), total_timed_minutes=30),
        FIXED,
        ("SV1*HC:97110:GP*110*UN*2***1:2", "SV1*HC:G0283:GP*25*UN*1***1:2"),
    ),
    Case(
        "a category code (M54.1) has no safe fix: the claim stays held, nothing is sent",
        _visit("V-DX", diagnoses=["M54.1"]),
        ("built", "scrubbed", "held"),
    ),
    Case(
        "past Medicare's one-year filing limit (C001): held, released by a biller, sent",
        _visit(
            "V-LATE",
            date_of_service="2024-12-02",
            authorization=None,
            plan_of_care={
                "start": "2024-11-10",
                "certified_on": "2024-11-12",
                "through": "2025-01-10",
            },
        ),
        ("built", "scrubbed", "held", "ready", "submitted"),
        ("SV1*HC:97110:GP*110*UN*2***1:2", "SV1*HC:97140:GP*56*UN*1***1:2"),
        release="retroactive Medicare entitlement: timely filing exception",
    ),
    Case(
        "no member id: held at build (C005) without lines, and again at the scrub",
        _visit("V-NOMEMBER", member_id=None),
        ("built", "scrubbed", "held", "scrubbed", "held"),
    ),
    Case("a self-pay visit is not billed to a payer", _visit("V-SELF", payer_id="SELF_PAY"), ()),
)


def _claims_in(text: str) -> dict[str, list[str]]:
    """The SV1 segments of each claim (CLM01) of an 837."""
    out: dict[str, list[str]] = {}
    current = ""
    for segment in (s.strip() for s in text.split("~")):
        if segment.startswith("CLM*"):
            current = segment.split("*")[1]
            out[current] = []
        elif segment.startswith("SV1*"):
            out[current].append(segment)
    return out


def _sv1(line: LineRecord) -> str:
    """The SV1 segment a stored line makes (both diagnoses pointed at, as the base has)."""
    procedure = ":".join(("HC", line.code, *line.modifiers))
    return f"SV1*{procedure}*{line.charge.normalize():f}*UN*{line.units}***1:2"


def _seed(uow: Factory, records: list[Record], *, limits: bool = True) -> None:
    """Visits stored as imported (``limits=False``: as stored before the input limits)."""
    with uow() as u:
        visits = [
            parse_visit(r, "visits.jsonl", n, limits=limits) for n, r in enumerate(records, 1)
        ]
        u.visits.upsert([SourcedVisit(v, "visits.jsonl", n) for n, v in enumerate(visits, 1)])
        u.commit()


def _scrubber() -> Scrubber:
    return Scrubber(CONTEXT.config, CONTEXT.catalog, Icd10Codes(), SCRUBBED_ON)


@pytest.fixture(params=BACKENDS)
def uow(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    with claims_lifecycle(request.param, tmp_path, lambda: NOW) as factory:
        yield factory


def test_a_weeks_visits_come_out_as_these_states_and_837_lines(
    uow: Factory, tmp_path: Path
) -> None:
    config, catalog = CONTEXT.config, CONTEXT.catalog
    _seed(uow, [c.visit for c in CASES])
    built = lifecycle.build_claims(uow, config, catalog)
    assert (built.self_pay, built.held) == (1, ["V-NOMEMBER"])
    lifecycle.scrub_claims(uow, _scrubber(), config, catalog, fix=True)
    for case in CASES:
        if case.release:
            lifecycle.release_claim(uow, case.visit["visit_id"], case.release)
    batches = lifecycle.submit_claims(uow, config, catalog, tmp_path / "outbox")
    billed: dict[str, list[str]] = {}
    for batch in batches:
        billed.update(_claims_in(batch.file.read_text(encoding="ascii")))
    with uow() as u:
        heads = {h.pcn: h for h in u.lifecycle.claims_in()}
        states = {
            p: tuple(t["to_state"] for t in u.claims.transitions(h.id)) for p, h in heads.items()
        }
        stored = u.claims.by_pcn(heads)
    expected = {c.visit["visit_id"]: c.states for c in CASES if c.states}
    assert states == expected
    assert billed == {c.visit["visit_id"]: list(c.sv1) for c in CASES if c.sv1}
    for pcn, segments in billed.items():  # the 837 is written from the stored lines
        assert [_sv1(ln) for ln in stored[pcn].lines] == segments, pcn
    assert [(b.payer, b.claims, str(b.total), b.isa) for b in batches] == [
        ("COMMERCIAL", ("V-PTAC",), "166.00", 1),
        ("MEDICARE", ("V-LATE", "V-59", "V-CLEAN", "V-G0283", "V-KX", "V-PTA", "V-TELE",
                      "V-UNITS"), "1249.00", 2),
    ]  # fmt: skip


def test_every_transition_names_its_actor_time_and_reason(uow: Factory) -> None:
    config, catalog = CONTEXT.config, CONTEXT.catalog
    _seed(uow, [_visit("V-1"), _visit("V-LATE", date_of_service="2024-12-02")])
    lifecycle.build_claims(uow, config, catalog)
    lifecycle.scrub_claims(uow, _scrubber(), config, catalog)
    lifecycle.release_claim(uow, "V-LATE", "  payer confirmed by phone ")
    with uow() as u:
        history = [
            (t["actor"], t["occurred_at"], t["from_state"], t["to_state"], t["reason"])
            for pcn, record in sorted(u.claims.by_pcn(["V-1", "V-LATE"]).items())
            for t in u.claims.transitions(record.id)
        ]
    at = history[0][1]
    assert at is not None and at.replace(tzinfo=UTC) == NOW
    assert [h[2:] for h in history] == [
        (None, "built", "built from visit V-1"),
        ("built", "scrubbed", "scrub"),
        ("scrubbed", "ready", "clean"),
        (None, "built", "built from visit V-LATE"),
        ("built", "scrubbed", "scrub"),
        ("scrubbed", "held", "errors"),
        ("held", "ready", "payer confirmed by phone"),
    ]
    assert {h[0] for h in history} == {"test"}


def test_a_held_claim_is_released_only_with_a_reason_and_only_with_lines(uow: Factory) -> None:
    config, catalog = CONTEXT.config, CONTEXT.catalog
    # 200 million units at 55.00 do not fit a stored claim (NUMERIC(12,2)): held without lines
    absurd = [{"code": "97110", "minutes": 30, "units": 200_000_000}]
    late = _visit("V-LATE", date_of_service="2024-12-02")
    _seed(uow, [late, _visit("V-ABSURD", services=absurd)], limits=False)
    assert lifecycle.build_claims(uow, config, catalog).held == ["V-ABSURD"]
    assert lifecycle.scrub_claims(uow, _scrubber(), config, catalog).held == ["V-ABSURD", "V-LATE"]
    with pytest.raises(InputError, match="a release needs a reason"):
        lifecycle.release_claim(uow, "V-LATE", "  ")
    with pytest.raises(InputError, match="claim V-ABSURD has no line to bill"):
        lifecycle.release_claim(uow, "V-ABSURD", "bill it anyway")
    with pytest.raises(InputError, match="no held claim 'V-NONE'"):
        lifecycle.release_claim(uow, "V-NONE", "no such claim")
    with uow() as u:
        assert {h.pcn: h.state for h in u.lifecycle.claims_in()} == {
            "V-ABSURD": "held",
            "V-LATE": "held",
        }


def test_building_and_submitting_twice_bill_each_visit_once(uow: Factory, tmp_path: Path) -> None:
    config, catalog = CONTEXT.config, CONTEXT.catalog
    week = [_visit("V-1"), _visit("V-2", date_of_service="2026-02-27"),
            _visit("V-3", payer_id="COMMERCIAL", member_id="C3")]  # fmt: skip
    _seed(uow, week)
    assert lifecycle.build_claims(uow, config, catalog).built == ["V-1", "V-2", "V-3"]
    assert lifecycle.build_claims(uow, config, catalog).built == []
    ready = lifecycle.scrub_claims(uow, _scrubber(), config, catalog).ready
    assert ready == ["V-1", "V-2", "V-3"]
    outbox = tmp_path / "outbox"
    first = lifecycle.submit_claims(uow, config, catalog, outbox, through=date(2026, 2, 28))
    rest = lifecycle.submit_claims(uow, config, catalog, outbox)
    assert lifecycle.submit_claims(uow, config, catalog, outbox) == []
    assert [(b.payer, b.claims, b.isa, b.file.name) for b in (*first, *rest)] == [
        ("MEDICARE", ("V-2",), 1, "MEDICARE-000000001.837"),
        ("COMMERCIAL", ("V-3",), 2, "COMMERCIAL-000000002.837"),
        ("MEDICARE", ("V-1",), 3, "MEDICARE-000000003.837"),
    ]
    assert sorted(p.name for p in outbox.iterdir()) == [
        "COMMERCIAL-000000002.837", "MEDICARE-000000001.837", "MEDICARE-000000003.837"
    ]  # fmt: skip
    with uow() as u:
        rows = sorted((b["file_name"], b["gs_control"], b["st_control_first"], b["claim_count"],
                       str(b["total_charge"])) for b in u.claims.batches())  # fmt: skip
    assert rows == [
        ("COMMERCIAL-000000002.837", 2, 2, 1, "166.00"),
        ("MEDICARE-000000001.837", 1, 1, 1, "166.00"),
        ("MEDICARE-000000003.837", 3, 3, 1, "166.00"),
    ]


def test_a_failed_submission_leaves_no_file_and_no_claim_submitted(
    uow: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, catalog = CONTEXT.config, CONTEXT.catalog
    _seed(uow, [_visit("V-1"), _visit("V-3", payer_id="COMMERCIAL", member_id="C3")])
    lifecycle.build_claims(uow, config, catalog)
    lifecycle.scrub_claims(uow, _scrubber(), config, catalog)
    real = lifecycle._write_batch
    calls: list[str] = []

    def fail_on_second(*args: Any, **kwargs: Any) -> Any:
        calls.append("batch")
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "_write_batch", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        lifecycle.submit_claims(uow, config, catalog, tmp_path / "outbox")
    assert list((tmp_path / "outbox").iterdir()) == []
    with uow() as u:
        assert {h.pcn: h.state for h in u.lifecycle.claims_in()} == {"V-1": "ready", "V-3": "ready"}
        assert u.claims.batches() == []
