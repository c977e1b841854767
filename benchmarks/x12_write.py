"""837P writing speed: claims per second for 10,000+ claims, beside a baseline.

Baseline (same run, same claims): joining preformatted segment strings with "~" — the
floor any writer pays to emit the same number of segments — and json.dumps of the claims'
fields. Prints one comparable figure per line; the bar is ≥ 5,000 claims/s.

    .venv/bin/python benchmarks/x12_write.py [N]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import datetime

from ptrcm.config import load_config
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.interchange import parse_visit
from ptrcm.services.claims.building import build_claim
from ptrcm.x12.claim837.professional import Billing, write_837p
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings

VISIT = {
    "visit_id": "V-0", "patient_id": "P-1", "date_of_service": "2026-03-02",
    "payer_id": "MEDICARE", "member_id": "1EG4TE5MK73", "discipline": "PT",
    "rendering": {"npi": "1679576722", "credential": "PT", "name": "Ana Ruiz"},
    "diagnoses": ["M54.16", "M62.81"],
    "services": [{"code": "97110", "minutes": 23}, {"code": "97140", "minutes": 10},
                 {"code": "97530", "minutes": 15}],
    "patient": {"first_name": "Maria", "last_name": "Lopez", "birth_date": "1951-06-14",
                "sex": "F", "address": {"line1": "12 Oak Ave", "city": "Springfield",
                                        "state": "IL", "zip": "62704"}},
    "referring": {"npi": "1003000126", "name": "Lee Park"}, "onset_date": "2026-01-15",
    "authorization": {"number": "A123"}, "plan_of_care": {"start": "2026-02-10"},
}  # fmt: skip
SETTINGS = EnvelopeSettings("123456789", "MCRPB", "Riverside", "Billing", "2175550100")


def best_of(runs: int, fn: object) -> float:
    assert callable(fn)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    config = load_config()
    base = build_claim(parse_visit(VISIT), config, load_catalog())
    claims = [replace(base, claim_id=f"V-{i}", patient_id=f"P-{i % 997}") for i in range(n)]
    billing = Billing(config.clinic, config.payers)
    now = datetime(2026, 3, 9, 14, 30)
    text = write_837p(claims, billing, SETTINGS, CounterControlNumbers(), now)
    segments = [s.strip() for s in text.split("~") if s.strip()]
    per_claim = len(segments) / n

    writer = best_of(3, lambda: write_837p(claims, billing, SETTINGS, CounterControlNumbers(), now))
    joined = best_of(3, lambda: "~\n".join(segments))
    records = [
        {"id": c.claim_id, "lines": [(ln.code, ln.modifiers, str(ln.charge), ln.units)
                                     for ln in c.lines]}
        for c in claims
    ]  # fmt: skip
    dumps = best_of(3, lambda: json.dumps(records))
    print(f"claims: {n}, segments: {len(segments)} ({per_claim:.1f} per claim)")
    print(f"837P writer:        {n / writer:>12,.0f} claims/s  ({writer * 1000:.0f} ms)")
    print(f"baseline '~'.join:  {n / joined:>12,.0f} claims/s  ({joined * 1000:.1f} ms)")
    print(f"baseline json.dumps:{n / dumps:>12,.0f} claims/s  ({dumps * 1000:.1f} ms)")
    print(f"bar ≥ 5,000 claims/s: {'met' if n / writer >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
