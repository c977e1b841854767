"""`ptrcm demo`: a synthetic clinic through the whole flow, with and without the scrubber.

One run: synthetic visits → import → claims built → scrub with safe fixes (replayed as the
day after each date of service) → weekly 837 batches → the payer simulator's 999, 277CA
and 835 → acknowledgments and remittances posted (secondary claims written by posting)
→ appealable denials get a letter; the payer overturns a seeded share and pays them in a
later 835. The same clinic runs again, the same way, in a second organization with no
scrub rules (acknowledgments, remittances and appeals posted there too), so the two
first-pass payment rates and everything downstream can be compared.

Nothing is dated after the day it was made: the run ends on its today
(``demo_calendar``). A payer's 835 reaches the inbox on its payment date; one dated after
the run's today has not arrived yet, so its claims stay in A/R (``remittances_pending``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.codes import Catalog
from ptrcm.domain.denials import classify_adjustment
from ptrcm.domain.lifecycle import ClaimState
from ptrcm.domain.visits import Visit
from ptrcm.errors import PtrcmError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.demo.calendar import forget_the_future, period_end, run_today, weeks_of
from ptrcm.services.demo.payers import (
    member_file,
    simulators,
    write_contracts,
    write_member_file,
)
from ptrcm.services.demo.ports import DemoStore, DemoUnitOfWork
from ptrcm.services.intake.appointments import import_synth_companions
from ptrcm.services.intake.visits import import_visits, split_visits
from ptrcm.services.progress import NoProgress, Progress
from ptrcm.synth import SynthOptions, write_synth
from ptrcm.synth.payer import PayerSimulator

ACTOR = "ptrcm demo"


@dataclass(frozen=True, slots=True)
class DemoOptions:
    out: Path
    seed: int = 7
    patients: int = 600
    months: int = 6
    locations: int = 3
    start: date = date(2025, 10, 1)
    today: date | None = None  # the real today (default: the system's date)


@dataclass(slots=True)
class RunSummary:
    """One organization's run through the flow."""

    label: str
    visits: int = 0
    claims: int = 0
    self_pay_visits: int = 0
    not_billable: int = 0
    scrubbed: int = 0
    clean_first_time: int = 0
    held: int = 0
    fixed: int = 0
    submitted: int = 0
    batches: int = 0
    rejected: int = 0
    paid_first_pass: int = 0
    charges: Decimal = Decimal("0.00")
    payments: Decimal = Decimal("0.00")
    denied_claims: int = 0
    denials_by_category: dict[str, int] = field(default_factory=dict)
    underpayments: int = 0
    secondary_files: int = 0
    appeals: int = 0
    appeals_won: int = 0
    appeal_recovered: Decimal = Decimal("0.00")
    remittances_pending: int = 0  # 835s dated after the run's today: not arrived yet
    today: date | None = None  # the run's today: nothing in the store is dated after it

    @property
    def clean_claim_rate(self) -> Decimal | None:
        return _rate(self.clean_first_time, self.scrubbed)

    @property
    def first_pass_rate(self) -> Decimal | None:
        return _rate(self.paid_first_pass, self.submitted)

    def to_json(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["clean_claim_rate"] = self.clean_claim_rate
        data["first_pass_rate"] = self.first_pass_rate
        return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]


def _rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one place; None (JSON null) when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


class _Clock:
    """The demo's simulated time: business happens on the days the flow says."""

    def __init__(self, day: date) -> None:
        self.day = day
        self._instant = (day, datetime.combine(day, time(17, 0), tzinfo=UTC))

    def __call__(self) -> datetime:
        # made once per day: the store asks for the time for every row it writes
        if self._instant[0] != self.day:
            self._instant = (self.day, datetime.combine(self.day, time(17, 0), tzinfo=UTC))
        return self._instant[1]


@dataclass(frozen=True, slots=True)
class _Remit:
    """An 835 the payer will send on ``due``; written to the inbox only on that day."""

    due: date
    name: str
    body: str


class _Run:
    def __init__(self, store: DemoStore, org: str, label: str, options: DemoOptions,
                 config: Config, catalog: Catalog, today: date) -> None:  # fmt: skip
        self.clock = _Clock(options.start)
        found = store.organization_id(org)
        self.org_id = (
            found if found is not None else store.create_organization(org, created_at=self.clock())
        )
        self.store, self.options, self.config, self.catalog = store, options, config, catalog
        self.today = today
        self.summary = RunSummary(label, today=today)
        self.appeal_files: set[str] = set()
        self._self_pay: set[str] = set()  # the self-pay visits seen by the weekly builds
        self.folder = options.out / org
        self.outbox, self.inbox = self.folder / "outbox", self.folder / "inbox"
        for d in (self.outbox, self.inbox, self.folder / "appeals"):
            d.mkdir(parents=True, exist_ok=True)

    def uow(self) -> DemoUnitOfWork:
        return self.store.unit_of_work(self.org_id, ACTOR, self.clock)

    def run(self, visits_file: Path, split: Any, members: Any, scrub: bool,
            progress: Progress) -> RunSummary:  # fmt: skip
        """The flow for one organization (``scrub``: run the scrub rules and safe fixes;
        ``split``: the visit file as ``split_visits`` read it, once for both runs)."""
        from ptrcm.services.remittance.posting import PostingOptions

        s = self.summary
        weeks = [
            w for w in weeks_of(self.options.start, period_end(self.options)) if w < self.today
        ]
        progress.phase(f"{s.label}: import", 3)
        s.visits = import_visits(self.uow, visits_file, split=split).imported
        progress.advance()
        import_synth_companions(self.uow, visits_file)  # master data, then appointments
        progress.advance()
        sims = simulators(self.config, members, self.options.seed)
        self._contracts(sims)
        progress.advance()
        posting = PostingOptions(self.config, self.catalog, outbox=self.outbox, outcomes=False)
        remits: list[_Remit] = []
        scrubber = self._scrubber(scrub)
        for week in weeks:
            self.clock.day = week + timedelta(days=1)  # the week's visits are billed the next day
            progress.phase(f"{s.label}: build, scrub, submit", len(weeks))
            self._build(through=week)
            self._scrub(scrubber, scrub)
            batches = lifecycle.submit_claims(
                self.uow, self.config, self.catalog, self.outbox, through=week
            )
            progress.advance()
            progress.phase(f"{s.label}: payer simulation", len(weeks))
            acks = [a for b in batches for a in self._answer(sims, b, remits)]
            progress.advance()
            progress.phase(f"{s.label}: acknowledgments", len(weeks))
            self._acknowledge(acks)
            progress.advance()
            progress.phase(f"{s.label}: remittances and secondaries", len(weeks) + 1)
            self._post_due(remits, posting, week + timedelta(days=1))
            progress.advance()
            progress.phase(f"{s.label}: appeals", len(weeks))
            self._appeals(sims, remits)
            progress.advance()
        progress.phase(f"{s.label}: remittances and secondaries", len(weeks) + 1)
        self._post_due(remits, posting, self.today)
        progress.advance()
        s.remittances_pending = len(remits)  # the payers have not sent these yet
        self._denial_categories()
        return s

    def _contracts(self, sims: dict[str, PayerSimulator]) -> None:
        from ptrcm.services.remittance.underpayments import import_contract

        for pid, versions in write_contracts(sims, self.folder / "contracts").items():
            seq = sims[pid].profile.sequestration_rate
            params = {"sequestration_rate": str(seq if seq is not None else "0")}
            if sims[pid].profile.payer_class == "medicare":
                params["sequestration_rate"] = "0.02"
            try:
                for path, start in versions:  # one version per PFS year, oldest first
                    import_contract(self.uow, pid, path, params, effective_from=start)
            except PtrcmError:  # a payer none of the visits names: nothing to pay under it
                continue

    def _build(self, through: date) -> None:
        built = lifecycle.build_claims(self.uow, self.config, self.catalog, through=through)
        s = self.summary
        s.claims += len(built.built)
        # a self-pay visit never gets a claim: each weekly build sees it again
        self._self_pay.update(built.self_pay_visits)
        s.self_pay_visits = len(self._self_pay)
        s.not_billable += len(built.not_billable)

    def _scrubber(self, scrub: bool) -> Scrubber:
        """One scrubber for the whole run (it keeps the charges of visits it has seen)."""

        def next_day(visit: Visit) -> date:
            return visit.date_of_service + timedelta(days=1)

        return Scrubber(self.config, self.catalog, Icd10Codes(), next_day,
                        rules=None if scrub else ())  # fmt: skip

    def _scrub(self, scrubber: Scrubber, scrub: bool) -> None:
        """Scrub the claims built this week once; held claims wait for a biller."""
        r = lifecycle.scrub_claims(
            self.uow, scrubber, self.config, self.catalog, fix=scrub, states=(ClaimState.BUILT,)
        )
        s = self.summary
        s.scrubbed += r.scrubbed
        s.clean_first_time += r.clean_first_time
        s.held += len(r.held)
        s.fixed += r.fixed

    def _answer(self, sims: dict[str, PayerSimulator], batch: lifecycle.Batch,
                remits: list[_Remit]) -> list[Path]:  # fmt: skip
        """The payer's answer to one batch: its 835s join ``remits``; its 999/277CA return."""
        sim = sims[batch.payer]
        text = batch.file.read_text(encoding="ascii")
        answer = sim.answer(text, batch.file.name, self.clock.day)
        s = self.summary
        s.batches += 1
        s.submitted += len(batch.claims)  # the 837's claims, as the batch wrote them
        s.charges += batch.total
        for o in answer.outcomes:
            if o.rejected:
                s.rejected += 1
            elif o.denial is None and not o.line_denials:
                s.paid_first_pass += 1
        acks = []
        for name, body in answer.files.items():
            if name.endswith(".835"):  # sent on its payment date, not today
                paid_on = min(o.remit_date or date.max for o in answer.outcomes)
                remits.append(_Remit(paid_on, name, body))
                continue
            target = self.inbox / name
            target.write_text(body, encoding="ascii", newline="")
            acks.append(target)
        return acks

    def _acknowledge(self, files: list[Path]) -> None:
        from ptrcm.services.claims.acks import post_acknowledgments

        if files:
            post_acknowledgments(self.uow, files)

    def _post_due(self, remits: list[_Remit], posting: Any, until: date) -> None:
        """Post the 835s dated up to ``until``, each on its day; later ones stay unsent."""
        from ptrcm.services.remittance.posting import post_remittance

        remits.sort(key=lambda r: (r.due, r.name))
        while remits and remits[0].due <= until:
            remit = remits.pop(0)
            self.clock.day = remit.due
            path = self.inbox / remit.name
            path.write_text(remit.body, encoding="ascii", newline="")
            result = post_remittance(self.uow, path, posting)
            self._count(result)
            if path.name in self.appeal_files:
                self.summary.appeal_recovered += result.paid

    def _count(self, result: Any) -> None:
        s = self.summary
        s.payments += result.paid
        s.underpayments += getattr(result, "underpayments", 0)
        s.denied_claims += result.denials
        if result.outbox_file:
            s.secondary_files += 1

    def _appeals(self, sims: dict[str, PayerSimulator], remits: list[_Remit]) -> None:
        """Letters for this week's appealable denials; won appeals are paid by a later 835."""
        from ptrcm.services.claims.building import stored_claim
        from ptrcm.services.remittance.appeals import appeal_letter, appeal_queue, record_outcome

        s, today = self.summary, self.clock.day
        won: dict[str, list[Any]] = {}
        for row in appeal_queue(self.uow, today):
            try:
                letter = appeal_letter(self.uow, row.claim, today, self.config, self.catalog)
            except PtrcmError:  # a denial that cannot be appealed (e.g. MA130)
                continue
            (self.folder / "appeals" / f"{row.claim}.md").write_text(letter, encoding="utf-8")
            s.appeals += 1
            with self.uow() as uow:
                record = uow.claims.by_pcn([row.claim])[row.claim]
                visit = uow.lifecycle.visits_by_id(record.document.get("visit_ids", ()))
                payments = uow.remits.claim_payments(record.id)
            sim = sims.get(record.payer_external_id)
            if sim is None or not visit or not sim.appeal_won(row.claim):
                record_outcome(self.uow, row.claim, "lost", Decimal("0.00"), today)
                continue
            claim = stored_claim(next(iter(visit.values())), record.pcn, record.lines)
            number = str(payments[-1].get("payer_claim_number") or "") if payments else ""
            won.setdefault(record.payer_external_id, []).append((claim, number))
            record_outcome(self.uow, row.claim, "won", Decimal("0.00"), today)
            s.appeals_won += 1
        for payer, items in sorted(won.items()):
            decided = today + timedelta(days=30)
            text = sims[payer].overturn(items, decided, f"APL{today:%m%d}")
            name = f"{payer}-appeals-{today:%Y%m%d}.835"
            lag = sims[payer].profile.payment_lag_days
            remits.append(_Remit(decided + timedelta(days=lag), name, text))
            self.appeal_files.add(name)

    def _denial_categories(self) -> None:
        with self.uow() as uow:
            items = uow.work.items("denial")
        for item in items:
            self._categorize([str(item["carc"] or "")], 1)

    def _categorize(self, carcs: list[str], count: int) -> None:
        by = self.summary.denials_by_category
        for category in sorted({str(classify_adjustment("CO", c, ()).category) for c in carcs}):
            by[category] = by.get(category, 0) + count


def run_demo(options: DemoOptions, config: Config, catalog: Catalog, store: DemoStore,
             progress: Progress | None = None) -> tuple[RunSummary, RunSummary]:  # fmt: skip
    """Both runs (with and without the scrubber) in ``store``'s organizations ``default``
    and ``no-scrubber`` (created when missing); see the module docstring."""
    progress = progress or NoProgress()
    period_end(options)  # before anything is written
    options.out.mkdir(parents=True, exist_ok=True)
    visits_file = options.out / "clinic" / "visits.jsonl"
    visits_file.parent.mkdir(parents=True, exist_ok=True)
    synth = SynthOptions(options.patients, options.months, options.seed, options.start,
                         locations=options.locations)  # fmt: skip
    progress.phase("synthetic clinic", 1)
    summary = write_synth(synth, visits_file)
    master = json.loads(Path(summary.files["master"]).read_text(encoding="utf-8"))
    today = run_today(options, master)
    if forget_the_future(Path(summary.files["master"]), visits_file, today):
        master = json.loads(Path(summary.files["master"]).read_text(encoding="utf-8"))
    records = [json.loads(line) for line in visits_file.read_text(encoding="utf-8").splitlines()]
    members = member_file(master, records)
    write_member_file(members, options.out / "clinic" / "members.json")
    split = split_visits(visits_file, payers=config.payers)  # read once for both runs
    progress.advance()
    runs = []
    for org, label, scrub in (("default", "with scrubber", True),
                              ("no-scrubber", "without scrubber", False)):  # fmt: skip
        run = _Run(store, org, label, options, config, catalog, today)
        with store.facts_deferred():  # one refresh of the run's claims, not one per commit
            runs.append(run.run(visits_file, split, members, scrub, progress))
    return runs[0], runs[1]
