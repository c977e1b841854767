"""A test fake of every web port, with fixed illustrative figures (never shipped).

The page and layout tests render against it (a fake, not a mock); the store-backed
providers are tested on real databases. Everything is deterministic: the same ``today``
gives the same numbers. The front desk answers an empty work list and knows no patient.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal

from ptrcm.errors import InputError
from ptrcm.services.front_desk.booking import BookingCheck
from ptrcm.services.front_desk.worklist import WorkItem
from ptrcm.web.ports import (
    AgingRow,
    AttendanceCell,
    Booking,
    CashWeek,
    ClaimDetail,
    ClaimLine,
    DaysInArPoint,
    DenialReason,
    EvalMix,
    Goals,
    KpiTile,
    Leakage,
    PayerRevenue,
    Period,
    Productivity,
    QueueItem,
    QueueName,
    QueueTotals,
    RatePoint,
    ServiceLevelStatus,
    TargetStatus,
    TimelineEvent,
    TimelineKind,
    Underpayment,
    Unit,
    WebData,
)

D = Decimal
CENT = D("0.01")

TILES = (
    ("clean_claim_rate", "Clean-claim rate", "0.942", "0.931", Unit.percent, True),
    ("first_pass_rate", "First-pass payment rate", "0.887", "0.902", Unit.percent, True),
    ("denial_rate", "Initial denial rate", "0.064", "0.071", Unit.percent, False),
    ("net_collection_rate", "Net collection rate", "0.968", "0.968", Unit.percent, True),
    ("days_in_ar", "Days in A/R", "31.4", "34.2", Unit.days, False),
    ("cash_collected", "Cash collected", "182340.55", "175002.10", Unit.money, True),
    ("visits", "Visits", "2318", "2250", Unit.number, True),
    ("net_revenue_per_visit", "Net revenue per visit", "96.42", "94.10", Unit.money, True),
)

AGING = (
    ("Medicare", "48210.00", "12400.50", "5210.00", "2100.00", "1480.25"),
    ("Medicare Advantage", "22150.75", "9870.00", "4410.10", "3390.00", "2875.40"),
    ("Medicaid", "9830.00", "6120.00", "3980.00", "2210.00", "4105.90"),
    ("Commercial", "61420.30", "18300.00", "7010.45", "3880.00", "2940.00"),
    ("Workers' comp", "12980.00", "7410.00", "5120.00", "4870.00", "6210.00"),
    ("Self-pay", "3120.00", "2210.00", "1840.00", "1390.00", "2450.00"),
)

DENIALS = (
    ("50", "Not deemed medically necessary", 41, "6215.40"),
    ("197", "Precertification or authorization absent", 33, "5120.00"),
    ("119", "Benefit maximum for the period reached", 21, "2350.10"),
    ("16", "Claim lacks information needed to adjudicate", 18, "1980.55"),
    ("96", "Non-covered charge", 9, "1410.00"),
    ("18", "Exact duplicate claim or service", 7, "640.00"),
    ("4", "Modifier inconsistent with the procedure code", 6, "512.75"),
)

QUEUES: dict[QueueName, tuple[tuple[str, str, str, str, int, int | None], ...]] = {
    QueueName.scrub_errors: (
        ("U-001", "97110 billed 3 units; 33 minutes support 2", "MEDICARE", "312.00", 1, None),
        ("P-003", "Progress report due before visit 10", "MEDICARE", "188.40", 2, None),
        ("A-002", "Authorization A-7781 has no visits left", "COMMERCIAL", "240.00", 3, None),
        ("M-004", "GP modifier missing on 97140", "MEDICARE_ADV", "96.00", 1, None),
    ),
    QueueName.rejections: (
        ("277CA A7:562", "Rendering NPI not on file with payer", "COMMERCIAL", "420.00", 4, None),
        ("999 IK5 R", "Subscriber ID format rejected", "MEDICAID", "198.00", 2, None),
    ),
    QueueName.denials: (
        ("CO-50", "Not deemed medically necessary", "MEDICARE_ADV", "1240.00", 21, 44),
        ("CO-197", "Authorization absent", "COMMERCIAL", "880.50", 35, 12),
        ("CO-119", "Visit limit reached", "COMMERCIAL", "880.50", 14, 60),
        ("CO-16", "Missing referring provider", "MEDICAID", "310.00", 9, 81),
        ("CO-4", "Modifier inconsistent with code", "WORKERS_COMP", "145.25", 40, 5),
    ),
    QueueName.underpayments: (
        ("97110", "Paid 28.41 per unit; contract 31.20", "COMMERCIAL", "83.70", 12, 168),
        ("97161", "Paid 88.00; contract 101.55", "MEDICARE_ADV", "13.55", 19, 161),
        ("97140", "MPPR applied to the wrong line", "MEDICARE", "9.87", 7, 173),
    ),
    QueueName.unmatched_remittances: (
        ("835 TRN 1029384756", "Claim control number not found", "COMMERCIAL", "412.80", 3, None),
        ("835 TRN 5550019922", "Patient account number unknown", "MEDICAID", "96.00", 6, None),
    ),
}

PAYERS = (
    ("MEDICARE", "medicare", 812, "86902.40"),
    ("MEDICARE_ADV", "medicare_advantage", 344, "28120.00"),
    ("MEDICAID", "medicaid", 290, "17110.00"),
    ("COMMERCIAL", "commercial", 701, "82017.00"),
    ("WORKERS_COMP", "workers_comp", 121, "16940.00"),
    ("SELF_PAY", "self_pay", 50, "3250.00"),
)

UNDERPAID = (
    ("COMMERCIAL", "97110", 212, "6614.40", "6022.92"),
    ("COMMERCIAL", "97530", 98, "3488.80", "3309.46"),
    ("MEDICARE_ADV", "97161", 31, "3148.05", "2728.00"),
    ("MEDICARE", "97140", 140, "3892.00", "3823.10"),
    ("MEDICAID", "97112", 64, "1702.40", "1686.40"),
)

THERAPISTS = (
    ("Ana Ruiz", "PT", 38, ("0.26", "0.45", "0.18", "0.11"), 412, "3.6", "11.9"),
    ("Ben Okafor", "PT", 41, ("0.22", "0.49", "0.17", "0.12"), 455, "3.5", "12.1"),
    ("Chloe Park", "PT", 35, ("0.06", "0.29", "0.54", "0.11"), 380, "4.1", "10.6"),
    ("Dev Patel", "OT", 22, ("0.27", "0.50", "0.14", "0.09"), 260, "3.3", "12.4"),
    ("Elena Rossi", "SLP", 17, ("0.29", "0.47", "0.12", "0.12"), 190, "2.9", "12.8"),
    ("Farid Haddad", "PT", 29, ("0.24", "0.46", "0.19", "0.11"), 366, "4.6", "9.2"),
)

LOCATIONS = ("MAIN", "NORTH", "EAST")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
HOURS = tuple(range(7, 19))
VISIT_VALUE = D("96.42")


def _money(text: str) -> Decimal:
    return D(text).quantize(CENT)


def _month_starts(end: date, count: int) -> list[date]:
    months, year, month = [], end.year, end.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


class SampleData:
    """Implements every provider in ``ptrcm.web.ports`` from the tables above."""

    def __init__(self, today: date) -> None:
        self.today = today

    # Dashboard
    def kpi_tiles(self, period: Period) -> Sequence[KpiTile]:
        return [
            KpiTile(key, label, D(v), D(p), unit, better)
            for key, label, v, p, unit, better in TILES
        ]

    def ar_aging(self, as_of: date) -> Sequence[AgingRow]:
        return [AgingRow(name, *(_money(a) for a in amounts)) for name, *amounts in AGING]

    def review_pdf(self, month: date) -> bytes:
        return b"%PDF-1.4 (a fake review pack for " + month.isoformat().encode() + b")"

    def goals(self, period: Period) -> Goals:
        return Goals(
            [TargetStatus("clean_claim_rate", "Clean-claim rate", D("0.93"), D("0.95"), True,
                          "at_risk", D("0.88"), Unit.percent),
             TargetStatus("days_in_ar", "Days in A/R", D("31.2"), D("35"), False, "met", None,
                          Unit.days)],
            [ServiceLevelStatus("charge_entry", "Charge entry", 3, 120, D("0.9")),
             ServiceLevelStatus("patient_inquiry", "Patient inquiries", 2, 0, None)],
            date(2026, 1, 1),
        )  # fmt: skip

    def denial_reasons(self, period: Period) -> Sequence[DenialReason]:
        return [DenialReason(c, d, n, _money(a)) for c, d, n, a in DENIALS]

    def first_pass_trend(self, period: Period) -> Sequence[RatePoint]:
        rates = ("0.861", "0.872", "0.868", "0.879", "0.884", "0.876")
        months = _month_starts(period.end, 12)
        return [RatePoint(m, D(rates[i % 6]) + D(i) / 500) for i, m in enumerate(months)]

    def cash_and_visits(self, period: Period) -> Sequence[CashWeek]:
        monday = period.start - timedelta(days=period.start.weekday())
        weeks = []
        for i in range((period.end - monday).days // 7 + 1):
            visits = 160 + (i * 37) % 45
            cash = (VISIT_VALUE * visits * D("0.93") + D((i * 613) % 1400)).quantize(CENT)
            weeks.append(CashWeek(monday + timedelta(weeks=i), cash, visits))
        return weeks

    def days_in_ar_trend(self, period: Period) -> Sequence[DaysInArPoint]:
        months = _month_starts(period.end, 12)
        return [DaysInArPoint(m, D("38.5") - D(i) * D("0.6")) for i, m in enumerate(months)]

    # Work queues and claims
    def queue(
        self,
        name: QueueName,
        offset: int = 0,
        limit: int | None = None,
        sort: str | None = None,
        descending: bool = False,
    ) -> Sequence[QueueItem]:
        items = self._queue(name)
        if name is QueueName.denials:
            items.sort(key=lambda i: (-i.amount, i.deadline or date.max))
        else:
            items.sort(key=lambda i: -i.age_days)
        if sort is not None and sort in QueueItem.__slots__:
            present = [i for i in items if getattr(i, sort) is not None]
            blank = [i for i in items if getattr(i, sort) is None]
            items = sorted(present, key=lambda i: getattr(i, sort), reverse=descending) + blank
        return items[offset:] if limit is None else items[offset : offset + limit]

    def queue_totals(self, name: QueueName) -> QueueTotals:
        items = self._queue(name)
        return QueueTotals(len(items), sum((i.amount for i in items), D("0.00")))

    def queue_stream(self, name: QueueName) -> Iterator[QueueItem]:
        return iter(self.queue(name))

    def _queue(self, name: QueueName) -> list[QueueItem]:
        items = []
        for n, (code, reason, payer, amount, age, deadline_days) in enumerate(QUEUES[name]):
            claim = None if name is QueueName.unmatched_remittances else f"C-{1000 + 17 * n}"
            items.append(
                QueueItem(
                    item_id=f"{name.value}-{n + 1}",
                    claim_id=claim,
                    payer_id=payer,
                    date_of_service=self.today - timedelta(days=age + 10),
                    reason_code=code,
                    reason=reason,
                    amount=_money(amount),
                    deadline=None
                    if deadline_days is None
                    else self.today + timedelta(days=deadline_days),
                    age_days=age,
                )
            )
        return items

    def claim(self, claim_id: str) -> ClaimDetail | None:
        known = {f"C-{1000 + 17 * n}" for n in range(6)}
        if claim_id not in known:
            return None
        dos = self.today - timedelta(days=45)
        lines = (
            ClaimLine("97161", ("GP",), 1, _money("180.00"), _money("101.55"), _money("81.24")),
            ClaimLine("97110", ("GP",), 2, _money("124.00"), _money("62.40"), _money("49.92")),
            ClaimLine("97140", ("GP",), 1, _money("62.00"), _money("28.10"), _money("22.48")),
        )
        paid = sum((line.paid or D(0) for line in lines), D("0.00"))
        charge = sum((line.charge for line in lines), D("0.00"))
        events = (
            (
                0,
                TimelineKind.visit,
                "Visit documented",
                "Ana Ruiz, PT · 45 minutes",
                None,
                "V-4410",
            ),
            (1, TimelineKind.charge, "Charges built", "4 units by the CMS method", charge, None),
            (1, TimelineKind.scrub, "Scrubbed", "No errors, 1 warning (P-003)", None, None),
            (2, TimelineKind.submitted, "Submitted 837P", "Batch B-0192", charge, "ICN 000192"),
            (3, TimelineKind.acknowledged, "Accepted (999, 277CA)", "A1:20", None, None),
            (24, TimelineKind.adjudicated, "Adjudicated", "835 TRN 7741200", None, "TRN 7741200"),
            (24, TimelineKind.paid, "Payment posted", "EFT 7741200", paid, "TRN 7741200"),
            (30, TimelineKind.patient, "Patient statement", "Coinsurance 20 %", None, None),
        )
        return ClaimDetail(
            claim_id=claim_id,
            visit_id="V-4410",
            payer_id="MEDICARE",
            date_of_service=dos,
            therapist="Ana Ruiz",
            status="paid",
            charge=charge,
            paid=paid,
            balance=_money("38.87"),
            lines=lines,
            timeline=tuple(
                TimelineEvent(dos + timedelta(days=d), k, t, detail, amount, ref)
                for d, k, t, detail, amount, ref in events
            ),
        )

    # Payers
    def net_revenue(self, period: Period) -> Sequence[PayerRevenue]:
        return [
            PayerRevenue(p, cls, v, _money(net), (D(net) / v).quantize(CENT))
            for p, cls, v, net in PAYERS
        ]

    def underpayments(self, period: Period) -> Sequence[Underpayment]:
        return [
            Underpayment(p, code, n, _money(e), _money(paid), _money(e) - _money(paid))
            for p, code, n, e, paid in UNDERPAID
        ]

    # Therapists
    def eval_mix(self, period: Period) -> Sequence[EvalMix]:
        result = []
        for name, disc, evals, shares, *_ in THERAPISTS:
            peers = [D(t[3][2]) for t in THERAPISTS if t[0] != name]
            peer_high = (sum(peers, D(0)) / len(peers)).quantize(D("0.001"))
            low, mod, high, re = (D(s) for s in shares)
            result.append(
                EvalMix(name, disc, evals, low, mod, high, re, peer_high, high > 2 * peer_high)
            )
        return result

    def productivity(self, period: Period) -> Sequence[Productivity]:
        return [Productivity(t[0], t[4], D(t[5]), D(t[6])) for t in THERAPISTS]

    # Scheduling
    def attendance(
        self, period: Period, location_id: str | None, therapist: str | None
    ) -> Sequence[AttendanceCell]:
        seed = f"{location_id or '*'}|{therapist or '*'}"
        rng = random.Random(seed)
        share = (3 if location_id else 1) * (6 if therapist else 1)
        cells = []
        for weekday in range(len(WEEKDAYS)):
            for hour in HOURS:
                scheduled = max(0, (40 + rng.randint(-12, 12)) // share)
                edge = 2 if hour in (7, 17, 18) or weekday == 0 else 1
                no_shows = min(scheduled, rng.randint(0, 3) * edge)
                late = min(scheduled - no_shows, rng.randint(0, 2) * edge)
                cells.append(AttendanceCell(weekday, hour, scheduled, no_shows, late))
        return cells

    def leakage(self, period: Period) -> Sequence[Leakage]:
        rows = []
        for i, t in enumerate(THERAPISTS):
            scheduled, no_shows, late = 420 + 13 * i, 18 + (7 * i) % 11, 11 + (5 * i) % 7
            lost = VISIT_VALUE * (no_shows + late)
            rows.append(Leakage(LOCATIONS[i % 3], t[0], scheduled, no_shows, late, lost))
        return rows

    def revenue_lost(self, period: Period) -> Decimal:
        return sum((r.revenue_lost for r in self.leakage(period)), D("0.00"))

    def locations(self) -> Sequence[str]:
        return LOCATIONS

    def therapists(self) -> Sequence[str]:
        return [t[0] for t in THERAPISTS]

    # Front desk
    def check_booking(self, booking: Booking) -> BookingCheck:
        raise InputError.one("--patient", None, "patient", "not on file")

    def worklist(self, day: date, location: str | None, role: str | None) -> Sequence[WorkItem]:
        return []

    # Status
    def has_data(self) -> bool:
        return True

    def close(self) -> None:
        return None


def sample_data(today: date) -> WebData:
    """Every port served by one ``SampleData``."""
    fake = SampleData(today)
    return WebData(fake, fake, fake, fake, fake, fake, fake, fake)
