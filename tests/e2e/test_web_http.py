"""Every page and API endpoint over HTTP, in process, with FastAPI's TestClient."""

from __future__ import annotations

import csv
import io
import re
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import ptrcm.web.app as web_app
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.e2e.web_fake import sample_data
from tests.web_access import FAST, signed_in

TODAY = date(2026, 3, 31)
PAGES = [
    "/",
    "/queues",
    "/queues/scrub-errors",
    "/queues/rejections",
    "/queues/denials",
    "/queues/underpayments",
    "/queues/unmatched-remittances",
    "/claims/C-1000",
    "/payers",
    "/therapists",
    "/scheduling",
]
TABLE_ENDPOINTS = [
    "/api/dashboard/kpis",
    "/api/dashboard/ar-aging",
    "/api/dashboard/denials",
    "/api/dashboard/first-pass",
    "/api/dashboard/cash-visits",
    "/api/dashboard/days-in-ar",
    "/api/queues/denials",
    "/api/claims/C-1000/timeline",
    "/api/claims/C-1000/lines",
    "/api/payers/net-revenue",
    "/api/payers/underpayments",
    "/api/therapists/eval-mix",
    "/api/therapists/productivity",
    "/api/scheduling/attendance",
    "/api/scheduling/leakage",
]
OTHER_ENDPOINTS = ["/api/queues", "/api/claims/C-1000", "/healthz"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = WebSettings("sqlite://", "Riverside Rehab Partners", lambda: TODAY, passwords=FAST)
    with TestClient(create_app(settings, sample_data(TODAY))) as test_client:
        yield signed_in(test_client)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders_html_with_navigation_and_a_heading(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<nav class="sidebar"' in response.text
    assert re.search(r"<h1>[^<]+</h1>", response.text)
    assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_loads_anything_from_another_host(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert '<script src="/static/htmx.min.js"' in html


@pytest.mark.parametrize("path", PAGES)
def test_every_csv_link_on_a_page_downloads_csv(client: TestClient, path: str) -> None:
    links = re.findall(r'href="([^"]*format=csv[^"]*)"', client.get(path).text)
    assert links, f"{path} offers no CSV export"
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert response.headers["content-type"].startswith("text/csv"), link
        assert "attachment" in response.headers["content-disposition"]


@pytest.mark.parametrize("path", TABLE_ENDPOINTS + OTHER_ENDPOINTS)
def test_each_api_endpoint_answers_json(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()


@pytest.mark.parametrize("path", TABLE_ENDPOINTS)
def test_each_table_endpoint_answers_csv_with_a_header_and_rows(
    client: TestClient, path: str
) -> None:
    response = client.get(path, params={"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) >= 2
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in rows[0])
    assert {len(r) for r in rows} == {len(rows[0])}


def test_money_in_the_api_is_a_decimal_string(client: TestClient) -> None:
    rows = client.get("/api/dashboard/ar-aging").json()["rows"]
    medicare = next(r for r in rows if r["payer_class"] == "Medicare")
    assert medicare["d0_30"] == "48210.00"
    tiles = client.get("/api/dashboard/kpis").json()["tiles"]
    assert next(t for t in tiles if t["key"] == "clean_claim_rate")["value"] == "0.942"


def test_the_default_period_is_twelve_weeks_ending_today(client: TestClient) -> None:
    body = client.get("/api/dashboard/denials").json()
    assert body["period"] == {"start": "2026-01-07", "end": "2026-03-31"}


def test_a_period_that_ends_before_it_starts_is_a_400(client: TestClient) -> None:
    api = client.get("/api/dashboard/kpis", params={"from": "2026-03-01", "to": "2026-02-01"})
    assert api.status_code == 400
    assert "'to' must not be before 'from'" in api.json()["detail"]
    page = client.get("/", params={"from": "2026-03-01", "to": "2026-02-01"})
    assert page.status_code == 400 and "must not be before" in page.text


def test_a_malformed_date_is_a_422_in_the_api_and_a_400_page(client: TestClient) -> None:
    assert client.get("/api/dashboard/kpis", params={"from": "March"}).status_code == 422
    page = client.get("/payers", params={"from": "March"})
    assert page.status_code == 400 and "from" in page.text


def test_an_unknown_claim_is_a_404_page_and_a_404_in_the_api(client: TestClient) -> None:
    page = client.get("/claims/C-404")
    assert page.status_code == 404 and "No claim C-404." in page.text
    api = client.get("/api/claims/C-404")
    assert api.status_code == 404 and api.json() == {"detail": "no claim C-404"}


def test_an_unknown_queue_is_rejected(client: TestClient) -> None:
    assert client.get("/queues/everything").status_code == 400
    assert client.get("/api/queues/everything").status_code == 422


def test_denials_to_appeal_come_largest_first_then_nearest_deadline(client: TestClient) -> None:
    rows = client.get("/api/queues/denials").json()["rows"]
    keys = [(-float(r["amount"]), r["deadline"]) for r in rows]
    assert keys == sorted(keys)
    assert rows[1]["amount"] == rows[2]["amount"] == "880.50"
    assert rows[1]["deadline"] < rows[2]["deadline"]


def test_every_queue_item_with_a_claim_links_to_a_claim_page(client: TestClient) -> None:
    html = client.get("/queues").text
    links = set(re.findall(r'href="(/claims/[^"]+)"', html))
    assert len(links) >= 3
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_sort_link_orders_the_table_by_that_column(client: TestClient) -> None:
    html = client.get("/queues/denials", params={"table": "queue", "sort": "age_days"}).text
    ages = [int(a) for a in re.findall(r'<td class="num">(\d+)</td>', html)]
    assert ages and ages == sorted(ages)
    html = client.get(
        "/queues/denials", params={"table": "queue", "sort": "age_days", "dir": "desc"}
    ).text
    ages_desc = [int(a) for a in re.findall(r'<td class="num">(\d+)</td>', html)]
    assert ages_desc == sorted(ages, reverse=True)


def test_the_scheduling_filter_changes_the_heatmap(client: TestClient) -> None:
    everyone = client.get("/scheduling").text
    one_site = client.get("/scheduling", params={"location": "NORTH"}).text
    cells = re.compile(r'class="cell" [^>]*data-value="([^"]+)"')
    assert cells.findall(everyone) != cells.findall(one_site)
    assert '<option value="NORTH" selected>' in one_site


def test_the_therapist_page_flags_the_eval_mix_outlier(client: TestClient) -> None:
    html = client.get("/therapists").text
    assert "outside the peer range" in html and "Chloe Park" in html
    assert html.count('class="num flag"') == 1


def test_the_openapi_document_lists_every_api_path(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    expected = {
        "/healthz", "/api/queues", "/api/queues/{name}", "/api/claims/{claim_id}",
        "/api/claims/{claim_id}/timeline", "/api/claims/{claim_id}/lines",
    } | {p for p in TABLE_ENDPOINTS if "C-1000" not in p and "/queues/" not in p}  # fmt: skip
    assert expected <= paths
    assert not any(not p.startswith("/api/") and p != "/healthz" for p in paths), "pages leak"
    csv_doc = spec["paths"]["/api/dashboard/denials"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in csv_doc


def test_the_openapi_document_types_money_as_a_string(client: TestClient) -> None:
    schemas: dict[str, Any] = client.get("/api/openapi.json").json()["components"]["schemas"]
    amount = schemas["DenialReason"]["properties"]["amount"]
    assert amount["type"] == "string"


def test_health_answers_anyone_and_tells_nothing_about_an_organization(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    with TestClient(client.app) as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}


def test_htmx_is_served_locally_with_its_licence_beside_it(client: TestClient) -> None:
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "htmx" in script.text
    licence = client.get("/static/htmx.LICENSE.txt")
    assert licence.status_code == 200 and "Zero-Clause BSD" in licence.text


def test_the_module_builds_no_app_at_import_time() -> None:
    from fastapi import FastAPI

    assert not any(isinstance(v, FastAPI) for v in vars(web_app).values())


def test_ptrcm_serve_runs_uvicorn_on_the_given_host_and_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from ptrcm.cli import app

    calls: list[tuple[Any, list[socket.socket]]] = []
    monkeypatch.setattr(uvicorn.Server, "run", _record_run(calls))
    result = CliRunner().invoke(
        app, ["serve", "--host", "0.0.0.0", "--port", "8123", "--db", "sqlite://"]
    )
    assert result.exit_code == 0, result.output
    config, sockets = calls[0]
    assert config.host == "0.0.0.0" and config.port == 8123
    assert config.app.state.settings.database_url == "sqlite://"
    # served on the bound socket itself (TCP: asyncio sets TCP_NODELAY), not on its fd
    assert config.fd is None and sockets[0].family == socket.AF_INET


def _record_run(calls: list[Any]) -> Any:
    """A stand-in for ``uvicorn.Server.run``: records the config and sockets, marks the
    server started, serves nothing."""

    def run(self: Any, sockets: list[socket.socket] | None = None) -> None:
        calls.append((self.config, list(sockets or [])))
        self.started = True

    return run


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, Any, list[Any]]:
    import uvicorn
    from typer.testing import CliRunner

    from ptrcm.cli import app

    runs: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", _record_run(runs))
    with socket.socket() as probe:  # a port free now (the command binds it itself)
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    given = [a.replace("FREE", port) for a in args]
    result = CliRunner().invoke(app, ["serve", "--db", "sqlite://", *given])
    assert result.exit_code == 0, result.output
    config = runs[0][0]
    options = {"access_log": config.access_log, "log_config": config.log_config,
               "proxy_headers": config.proxy_headers,
               "forwarded_allow_ips": config.forwarded_allow_ips}  # fmt: skip
    return result, config.app, options


def test_ptrcm_serve_hands_its_config_and_security_numbers_to_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "ptrcm.toml"
    config.write_text(
        "[payers.COMMERCIAL]\nauth_required = true\n[security]\nsession_idle_minutes = 5\n"
        "lockout_failures = 3\n",
        encoding="utf-8",
    )
    _result, application, options = _serve(monkeypatch, "--config", str(config), "--port", "FREE")
    settings = application.state.settings
    assert settings.config.payer("COMMERCIAL").auth_required is True
    assert settings.policy.idle.total_seconds() == 300 and settings.policy.max_failures == 3
    assert options["access_log"] is False and "ptrcm" in options["log_config"]["loggers"]


def test_serve_on_a_public_interface_without_tls_warns_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result, _app, _options = _serve(monkeypatch, "--host", "0.0.0.0", "--port", "FREE")
    assert "WARNING: listening on 0.0.0.0 without TLS" in result.output
    quiet, _app, options = _serve(monkeypatch, "--port", "FREE")
    assert "WARNING" not in quiet.output
    proxied, _app, options = _serve(
        monkeypatch, "--host", "0.0.0.0", "--port", "FREE", "--forwarded-allow-ips", "10.0.0.2"
    )
    assert "WARNING" not in proxied.output
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "10.0.0.2"


def test_ptrcm_serve_refuses_a_port_out_of_range() -> None:
    from typer.testing import CliRunner

    from ptrcm.cli import app

    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
