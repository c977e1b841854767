"""Sampling episodes: seeded random samples repeat, risk puts KX, denials and dollars first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ptrcm.domain.chart_audit.episodes import episodes_of
from ptrcm.domain.chart_audit.stored import Candidate
from ptrcm.domain.codes import load_catalog
from ptrcm.services.chart_audit.sampling import outlier_therapists, random_sample, risks
from tests.builders.visits import DOS, services, visit

CODES = load_catalog()


def _episode_visits(patient: str, n: int = 3, kx: bool = False, npi: str = "1234567893"):  # type: ignore[no-untyped-def]
    lines = services(("97110", 30))
    if kx:
        lines[0]["modifiers"] = ["GP", "KX"]
    return [
        visit(
            visit_id=f"{patient}-{i}", patient_id=patient, episode_visit_number=i,
            date_of_service=(DOS + timedelta(days=i)).isoformat(), services=lines,
            rendering={"npi": npi, "credential": "PT", "name": "T"},
        )
        for i in range(1, n + 1)
    ]  # fmt: skip


def test_a_random_sample_repeats_with_its_seed_and_changes_with_another() -> None:
    visits = [v for p in range(30) for v in _episode_visits(f"P-{p:02d}")]
    episodes = episodes_of(visits, CODES)
    assert len(episodes) == 30
    first = [e.key for e in random_sample(episodes, 5, seed=1)]
    assert first == [e.key for e in random_sample(list(reversed(episodes)), 5, seed=1)]
    assert first != [e.key for e in random_sample(episodes, 5, seed=2)]
    assert len(random_sample(episodes, 50, seed=1)) == 30


def test_risk_puts_denials_then_kx_then_dollars_first() -> None:
    plain = _episode_visits("P-1")
    kx = _episode_visits("P-2", kx=True)
    denied = _episode_visits("P-3")
    costly = _episode_visits("P-4")
    candidates = {v.visit_id: Candidate(v, Decimal("50.00")) for v in plain + kx}
    candidates |= {v.visit_id: Candidate(v, Decimal("50.00"), frozenset({"50"})) for v in denied}
    candidates |= {v.visit_id: Candidate(v, Decimal("90.00")) for v in costly}
    episodes = episodes_of(plain + kx + denied + costly, CODES)
    ranked = risks(episodes, candidates)
    assert [r.episode_key.split("/")[0] for r in ranked] == ["P-3", "P-2", "P-4", "P-1"]
    assert ranked[0].reasons == ("documentation denial",)
    assert "KX" in ranked[1].reasons and "high dollars" in ranked[2].reasons


def test_an_outlier_therapist_bills_well_over_the_clinic_mean() -> None:
    normal = [v for p in range(4) for v in _episode_visits(f"P-{p}", 5)]
    heavy = _episode_visits("P-9", 5, npi="1245319599")
    cands = [Candidate(v, Decimal("40.00")) for v in normal]
    cands += [Candidate(v, Decimal("120.00")) for v in heavy]
    assert outlier_therapists(cands) == frozenset({"1245319599"})
    assert outlier_therapists(cands[:20]) == frozenset()
