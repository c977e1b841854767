"""Every route of the app × every role × our own organization's records and a foreign one's
→ the status the permission matrix says (docs/security.md), and not one foreign row in any
answer; without a credential, 401 (API) or the sign-in page (pages).

The routes are read from the app itself: a route added without ``requires(...)``, or one
this table has no request for, fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ptrcm.domain.access import GRANTS, Permission, Role
from tests.e2e.two_clinics import FOREIGN, OTHER, OWN, Clinics, build
from tests.web_access import csrf, sign_in

# Routes anyone may call: signing in, and liveness for a load balancer (no data).
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz")}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


@dataclass(frozen=True)
class Call:
    """How to call one route for our own records and for a foreign one (``None``: the route
    names no record). ``ok`` is its success status for a role that may call it."""

    own: Callable[[Clinics], tuple[str, dict[str, Any]]]
    foreign: Callable[[Clinics], tuple[str, dict[str, Any]]] | None = None
    ok: int = 200
    missing: int = 404


def _get(path: str) -> Callable[[Clinics], tuple[str, dict[str, Any]]]:
    return lambda c: (path.format(c=c), {})


def _post(path: str, **form: str) -> Callable[[Clinics], tuple[str, dict[str, Any]]]:
    return lambda c: (path.format(c=c), {"data": {k: v.format(c=c) for k, v in form.items()}})


BOOKING = {"date": "2026-01-12", "discipline": "PT"}
CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/claims/{claim_id}"): Call(
        _get("/claims/{c.own_claim}"), _get("/claims/{c.foreign_claim}")
    ),
    ("GET", "/api/claims/{claim_id}"): Call(
        _get("/api/claims/{c.own_claim}"), _get("/api/claims/{c.foreign_claim}")
    ),
    ("GET", "/api/claims/{claim_id}/timeline"): Call(
        _get("/api/claims/{c.own_claim}/timeline"), _get("/api/claims/{c.foreign_claim}/timeline")
    ),
    ("GET", "/api/claims/{claim_id}/lines"): Call(
        _get("/api/claims/{c.own_claim}/lines"), _get("/api/claims/{c.foreign_claim}/lines")
    ),
    ("GET", "/queues/{name}"): Call(_get("/queues/scrub-errors")),
    ("GET", "/queues/items/{item_id}"): Call(
        _get("/queues/items/W-{c.own_item}"), _get("/queues/items/W-{c.foreign_item}")
    ),
    ("GET", "/reviews/{month}"): Call(_get("/reviews/2026-01")),
    # The two clinics are on SQLite: no job queue, so no job to retry (a 404 when allowed).
    ("POST", "/jobs/{job_id}/retry"): Call(_post("/jobs/1/retry"), ok=404),
    ("POST", "/alerts/{event_id}/ack"): Call(
        _post("/alerts/{c.own_event}/ack", owner="lead"),
        _post("/alerts/{c.foreign_event}/ack", owner="lead"), ok=303,
    ),
    ("POST", "/alerts/{event_id}/close"): Call(
        _post("/alerts/{c.own_event}/close"), _post("/alerts/{c.foreign_event}/close"), ok=303
    ),
    ("GET", "/api/queues/{name}"): Call(_get("/api/queues/scrub-errors")),
    ("POST", "/api/schedule/check"): Call(
        lambda c: ("/api/schedule/check", {"json": {"patient": "P-AW", **BOOKING}}),
        lambda c: ("/api/schedule/check", {"json": {"patient": f"P-{FOREIGN}W", **BOOKING}}),
        missing=400,  # a patient not on file (or on another's) is bad input to a check
    ),
    ("POST", "/logout"): Call(_post("/logout"), ok=303),
    ("POST", "/organization"): Call(
        _post("/organization", org=OWN), _post("/organization", org=OTHER), ok=303
    ),
    ("POST", "/admin/users"): Call(
        _post(
            "/admin/users",
            username="new-{{role}}",
            display_name="New Person",
            password="violet harbour lantern 77",
            role="biller",
        )
    ),
    ("POST", "/admin/users/{username}/role"): Call(
        _post("/admin/users/victim-a/role", role="biller"),
        _post(f"/admin/users/victim-{FOREIGN.lower()}/role", role="biller"),
    ),
    ("POST", "/admin/users/{username}/active"): Call(
        _post("/admin/users/victim-a/active", active="true"),
        _post(f"/admin/users/victim-{FOREIGN.lower()}/active", active="true"),
    ),
    ("POST", "/admin/password"): Call(
        _post("/admin/password", username="victim-a", password="quartz meadow violin 31"),
        _post(
            "/admin/password",
            username=f"victim-{FOREIGN.lower()}",
            password="quartz meadow violin 31",
        ),
    ),
    ("POST", "/admin/tokens"): Call(_post("/admin/tokens", name="integration", role="auditor")),
    ("POST", "/admin/tokens/{token_id}/revoke"): Call(
        _post("/admin/tokens/{c.own_token_id}/revoke"),
        _post("/admin/tokens/{c.foreign_token_id}/revoke"),
    ),
    # Changing routes: a request that refuses (stale version, missing reason) after the
    # permission and the organization were checked, so every allowed role gets the same
    # answer and nothing changes between roles; a foreign record is a 404.
    ("POST", "/queues/items/{item_id}/assign"): Call(
        _post("/queues/items/{c.own_item}/assign", version="99", to=""),
        _post("/queues/items/{c.foreign_item}/assign", version="1", to=""), ok=409,
    ),
    ("POST", "/queues/items/{item_id}/note"): Call(
        _post("/queues/items/{c.own_item}/note", version="99", text="x"),
        _post("/queues/items/{c.foreign_item}/note", version="1", text="x"), ok=409,
    ),
    ("POST", "/queues/items/{item_id}/status"): Call(
        _post("/queues/items/{c.own_item}/status", version="99", state="done", reason="x"),
        _post("/queues/items/{c.foreign_item}/status", version="1", state="done", reason="x"),
        ok=409,
    ),
    **{
        ("POST", f"/claims/{{claim_id}}/{verb}"): Call(
            _post(f"/claims/{{c.own_claim}}/{verb}", **form, reason=" "),
            _post(f"/claims/{{c.foreign_claim}}/{verb}", **form, reason="a reason"), ok=400,
        )
        for verb, form in (
            ("release", {}), ("correct", {}), ("void", {}), ("close", {}),
            ("write-off", {"amount": "5.00", "category": "other"}),
        )
    },
    ("POST", "/claims/{claim_id}/fix"): Call(
        _post("/claims/{c.own_claim}/fix", pointers="x"),
        _post("/claims/{c.foreign_claim}/fix", diagnoses="M54.16"), ok=400,
    ),
    ("POST", "/claims/{claim_id}/appeal-letter"): Call(
        _post("/claims/{c.own_claim}/appeal-letter"),  # held: no denial to appeal
        _post("/claims/{c.foreign_claim}/appeal-letter"), ok=400,
    ),
    ("POST", "/claims/{claim_id}/appeal-outcome"): Call(
        _post("/claims/{c.own_claim}/appeal-outcome", outcome="maybe", on="2026-01-20"),
        _post("/claims/{c.foreign_claim}/appeal-outcome", outcome="won", on="2026-01-20"),
        ok=400,
    ),
    ("POST", "/claims/{claim_id}/appeal-sent"): Call(
        _post("/claims/{c.own_claim}/appeal-sent", method="pigeon", on="2026-01-20"),
        _post("/claims/{c.foreign_claim}/appeal-sent", method="fax", on="2026-01-20"), ok=400,
    ),
    ("POST", "/write-offs/{write_off_id}/decision"): Call(
        _post("/write-offs/1/decision", decision="maybe"),
        _post("/write-offs/999999/decision", decision="approve"), ok=400,
    ),
    ("GET", "/chart-audits/{audit_id}"): Call(
        _get("/chart-audits/{c.own_scored}"), _get("/chart-audits/{c.foreign_scored}")
    ),
    ("GET", "/chart-audits/{audit_id}/feedback/{number}.pdf"): Call(
        _get("/chart-audits/{c.own_scored}/feedback/1.pdf"),
        _get("/chart-audits/{c.foreign_scored}/feedback/1.pdf"),
    ),
    ("POST", "/chart-audits"): Call(  # a period that ends before it starts: nothing made
        _post("/chart-audits", start="2026-01-31", end="2026-01-01", method="random"), ok=400,
    ),
    # This audit sampled nothing: a re-audit adds no result.
    ("POST", "/chart-audits/{audit_id}/reaudit"): Call(
        _post("/chart-audits/{c.own_audit}/reaudit"),
        _post("/chart-audits/{c.foreign_audit}/reaudit"), ok=303,
    ),
    ("POST", "/chart-audits/{audit_id}/feedback"): Call(  # shows the reports, changes nothing
        _post("/chart-audits/{c.own_scored}/feedback"),
        _post("/chart-audits/{c.foreign_scored}/feedback"),
    ),
    ("POST", "/chart-audits/requests"): Call(
        _post("/chart-audits/requests", payer="APAY", requested_on="2026-01-12",
              due_on="2026-01-01"),  # due before it was requested
        _post("/chart-audits/requests", payer="APAY", requested_on="2026-01-12",
              due_on="2026-02-01", audit="{c.foreign_audit}"), ok=400,
    ),
    ("POST", "/chart-audits/requests/{request_id}"): Call(
        _post("/chart-audits/requests/{c.own_request}", status="closed", on="2026-01-12"),
        _post("/chart-audits/requests/{c.foreign_request}", status="sent", on="2026-01-12"),
        ok=400,  # closing needs an outcome
    ),
    ("POST", "/chart-audits/recoupments"): Call(
        _post("/chart-audits/recoupments", payer="APAY", amount="0.00", on="2026-01-12"),
        _post("/chart-audits/recoupments", payer="APAY", amount="10.00", on="2026-01-12",
              claim="{c.foreign_claim}"), ok=400,
    ),
}  # fmt: skip
# The permission each route needs, as docs/security.md's "what each permission opens"
# says: a route declaring another one, or a new route not listed, fails.
P = Permission
ROUTE_PERMISSIONS: dict[tuple[str, str], Permission | None] = {
    ("GET", "/api/dashboard/kpis"): P.read_dashboard,
    ("GET", "/api/dashboard/ar-aging"): P.read_dashboard,
    ("GET", "/api/dashboard/denials"): P.read_dashboard,
    ("GET", "/api/dashboard/first-pass"): P.read_dashboard,
    ("GET", "/api/dashboard/cash-visits"): P.read_dashboard,
    ("GET", "/api/dashboard/days-in-ar"): P.read_dashboard,
    ("GET", "/api/queues"): P.read_queues,
    ("GET", "/api/queues/{name}"): P.read_queues,
    ("GET", "/api/claims/{claim_id}"): P.read_claims,
    ("GET", "/api/claims/{claim_id}/timeline"): P.read_claims,
    ("GET", "/api/claims/{claim_id}/lines"): P.read_claims,
    ("GET", "/api/payers/net-revenue"): P.read_payers,
    ("GET", "/api/payers/underpayments"): P.read_payers,
    ("GET", "/api/therapists/eval-mix"): P.read_therapists,
    ("GET", "/api/therapists/productivity"): P.read_therapists,
    ("GET", "/api/scheduling/attendance"): P.read_scheduling,
    ("GET", "/api/scheduling/leakage"): P.read_scheduling,
    ("GET", "/"): P.read_dashboard,
    ("GET", "/reviews/{month}"): P.read_dashboard,
    ("GET", "/claims"): P.read_dashboard,
    ("GET", "/queues"): P.read_queues,
    ("GET", "/connections"): P.read_queues,
    ("GET", "/jobs"): P.read_queues,
    ("GET", "/alerts"): P.read_dashboard,
    ("POST", "/alerts/{event_id}/ack"): P.do_claim_work,
    ("POST", "/alerts/{event_id}/close"): P.do_claim_work,
    ("POST", "/jobs/{job_id}/retry"): P.do_claim_work,
    ("GET", "/queues/{name}"): P.read_queues,
    ("GET", "/queues/items/{item_id}"): P.read_queues,
    ("GET", "/claims/{claim_id}"): P.read_claims,
    ("GET", "/payers"): P.read_payers,
    ("GET", "/therapists"): P.read_therapists,
    ("GET", "/scheduling"): P.read_scheduling,
    ("POST", "/api/schedule/check"): P.check_booking,
    ("GET", "/api/worklist"): P.read_worklist,
    ("GET", "/worklist"): P.read_worklist,
    ("POST", "/logout"): None,
    ("POST", "/organization"): None,
    ("GET", "/admin"): P.manage_users,
    ("POST", "/admin/users"): P.manage_users,
    ("POST", "/admin/users/{username}/role"): P.manage_users,
    ("POST", "/admin/users/{username}/active"): P.manage_users,
    ("POST", "/admin/password"): P.manage_users,
    ("POST", "/admin/tokens"): P.manage_tokens,
    ("POST", "/admin/tokens/{token_id}/revoke"): P.manage_tokens,
    ("GET", "/audit"): P.read_audit,
    ("GET", "/audit.csv"): P.read_audit,
    ("GET", "/api/openapi.json"): P.read_api_schema,
    ("POST", "/queues/items/{item_id}/assign"): P.do_claim_work,
    ("POST", "/queues/items/{item_id}/note"): P.do_claim_work,
    ("POST", "/queues/items/{item_id}/status"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/release"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/fix"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/appeal-sent"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/appeal-letter"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/appeal-outcome"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/correct"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/void"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/write-off"): P.do_claim_work,
    ("POST", "/claims/{claim_id}/close"): P.do_claim_work,
    ("POST", "/write-offs/{write_off_id}/decision"): P.approve_write_offs,
    ("GET", "/chart-audits"): P.read_chart_audits,
    ("GET", "/chart-audits/{audit_id}"): P.read_chart_audits,
    ("GET", "/chart-audits/{audit_id}/feedback/{number}.pdf"): P.do_chart_audits,
    ("POST", "/chart-audits"): P.do_chart_audits,
    ("POST", "/chart-audits/{audit_id}/reaudit"): P.do_chart_audits,
    ("POST", "/chart-audits/{audit_id}/feedback"): P.do_chart_audits,
    ("POST", "/chart-audits/requests"): P.do_chart_audits,
    ("POST", "/chart-audits/requests/{request_id}"): P.do_chart_audits,
    ("POST", "/chart-audits/recoupments"): P.do_chart_audits,
}
# Calls that end or move the session run on a throwaway sign-in.
SESSION_CHANGING = {("POST", "/logout"), ("POST", "/organization")}


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, through included routers (FastAPI keeps those as wrappers that hold
    the router they include)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def routes(app: Any) -> list[tuple[str, str, Permission | None]]:
    """(method, path, permission) of every route, read from the app."""
    found = []
    for route in api_routes(app.routes):
        checks = [d.call for d in route.dependant.dependencies if hasattr(d.call, "permission")]
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) in PUBLIC:
                assert not checks, f"public route {method} {route.path} declares a permission"
                continue
            assert len(checks) == 1, f"{method} {route.path}: no requires(...) dependency"
            found.append((method, route.path, checks[0].permission))  # type: ignore[attr-defined]
    return found


@pytest.fixture(scope="module")
def clinics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinics]:
    yield build(tmp_path_factory.mktemp("matrix"))


def _member(role: Role) -> str:
    return f"{role.value.replace('_', '')}-a"


def _client(clinics: Clinics, role: Role) -> TestClient:
    client = TestClient(clinics.app)
    sign_in(client, _member(role))
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def _call(
    client: TestClient, method: str, target: tuple[str, dict[str, Any]], who: str = "anon"
) -> Any:
    """Send the request; ``{role}`` in the path or a form value becomes ``who``."""
    path, kwargs = target
    if "data" in kwargs:
        kwargs = {"data": {k: v.replace("{role}", who) for k, v in kwargs["data"].items()}}
    return client.request(method, path.replace("{role}", who), follow_redirects=False, **kwargs)


def _without_echo(text: str, clinics: Clinics) -> str:
    """The answer without the foreign ids the request itself sent (a 404 may name the id it
    did not find): what is left of clinic-b is a leak."""
    for sent in (clinics.foreign_claim, f"P-{FOREIGN}W", f"victim-{FOREIGN.lower()}"):
        text = text.replace(sent, "")
    return text


def _spec(clinics: Clinics, method: str, path: str, role: Role) -> Call:
    spec = CALLS.get((method, path))
    if spec is not None:
        return spec
    assert method == "GET" and "{" not in path, f"{method} {path}: no request in CALLS"
    return Call(_get(path))


def test_each_route_declares_the_documented_permission(clinics: Clinics) -> None:
    declared = {(m, p): permission for m, p, permission in routes(clinics.app)}
    assert declared == ROUTE_PERMISSIONS


def test_every_route_needs_a_credential_but_sign_in_and_liveness(clinics: Clinics) -> None:
    anonymous = TestClient(clinics.app)
    wrong: dict[str, int] = {}
    for method, path, _permission in routes(clinics.app):
        target = _spec(clinics, method, path, Role.admin).own(clinics)
        answer = _call(anonymous, method, target)
        api = path.startswith("/api/")
        expected = 401 if api else 303
        if answer.status_code != expected or (
            not api and not answer.headers["location"].startswith("/login")
        ):
            wrong[f"{method} {path}"] = answer.status_code
    assert wrong == {}
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/static/ptrcm.css").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_each_route_answers_each_role_as_the_matrix_says(clinics: Clinics, role: Role) -> None:
    client = _client(clinics, role)
    wrong: dict[str, tuple[int, int]] = {}
    leaks: dict[str, int] = {}
    for method, path, permission in routes(clinics.app):
        spec = _spec(clinics, method, path, role)
        allowed = permission is None or permission in GRANTS[role]
        cases = [("own", spec.own, spec.ok)]
        if spec.foreign is not None:
            cases.append(("foreign", spec.foreign, spec.missing))
        for case, target, ok in cases:
            called = client
            if (method, path) in SESSION_CHANGING and allowed:
                called = _client(clinics, role)
            answer = _call(called, method, target(clinics), role.value.replace("_", ""))
            expected = ok if allowed else 403
            if answer.status_code != expected:
                wrong[f"{case} {method} {path}"] = (answer.status_code, expected)
            shown = _without_echo(answer.text, clinics)
            if FOREIGN in shown:
                leaks[f"{case} {method} {path}"] = shown.count(FOREIGN)
    assert wrong == {}, wrong
    assert leaks == {}, "clinic-b's rows shown to a clinic-a member"


def test_a_therapist_reads_their_own_patients_claims_only(clinics: Clinics) -> None:
    therapist, biller = _client(clinics, Role.therapist), _client(clinics, Role.biller)
    assert therapist.get(f"/api/claims/{clinics.own_claim}").status_code == 200
    colleague = therapist.get(f"/api/claims/{clinics.colleague_claim}")
    absent = therapist.get("/api/claims/NO-SUCH-CLAIM")
    assert colleague.status_code == absent.status_code == 404
    assert biller.get(f"/api/claims/{clinics.colleague_claim}").status_code == 200
    patients = {i["patient"] for i in therapist.get("/api/worklist").json()}
    everyone = {i["patient"] for i in biller.get("/api/worklist").json()}
    assert patients < everyone or not everyone
    assert "P-AW" not in patients  # treated by the front desk's visit provider, not theirs


def test_a_foreign_id_reads_exactly_like_a_missing_one(clinics: Clinics) -> None:
    client = _client(clinics, Role.manager)
    foreign = client.get(f"/api/claims/{clinics.foreign_claim}")
    missing = client.get("/api/claims/ZZZ-NONE")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"].replace(clinics.foreign_claim, "X") == missing.json()[
        "detail"
    ].replace("ZZZ-NONE", "X")


def test_an_org_parameter_or_body_field_never_chooses_the_tenant(clinics: Clinics) -> None:
    client = _client(clinics, Role.manager)
    for params in ({"org": OTHER}, {"org_id": "2"}, {"tenant": OTHER}):
        answer = client.get("/api/queues/scrub-errors", params=params)
        assert answer.status_code == 200 and FOREIGN not in answer.text
    body = {"patient": "P-AW", **BOOKING, "org": OTHER}
    assert client.post("/api/schedule/check", json=body).status_code == 422


def test_the_documented_matrix_is_the_enforced_one() -> None:
    """docs/security.md's table, row by row, equals ``GRANTS``."""
    text = DOCS.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| permission |"))
    roles = [c.strip() for c in header.strip("|").split("|")[1:]]
    assert roles == [r.value for r in Role]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == len(roles) + 1 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = {
                r for r, c in zip(roles, cells[1:], strict=True) if c == "yes"
            }
    assert set(rows) == {p.value for p in Permission}
    for permission in Permission:
        assert rows[permission.value] == {r.value for r in Role if permission in GRANTS[r]}, (
            permission
        )
