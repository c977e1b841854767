"""The web app's guards over HTTP: request bodies over the documented size are refused with
413 (declared or streamed), an unexpected failure is a 500 with an error id and no patient
data in the response or the log, and errors quote at most a short escaped excerpt."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from ptrcm.web.limits import MAX_BODY_BYTES
from ptrcm.web.ports import Period, WebData
from tests.e2e.web_fake import SampleData, sample_data
from tests.web_access import FAST, api_token, signed_in

TODAY = date(2026, 3, 31)
CHECK = "/api/schedule/check"
BOOKING = {"patient": "P-1", "date": "2026-03-31", "discipline": "PT"}
SETTINGS = WebSettings("sqlite://", "Clinic", lambda: TODAY, passwords=FAST)


@pytest.fixture(scope="module")
def app() -> FastAPI:
    made = create_app(SETTINGS, sample_data(TODAY))
    made.state.test_token = api_token(made)
    return made


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        test_client.headers["Authorization"] = f"Bearer {app.state.test_token}"
        yield test_client


def _call(app: FastAPI, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """POST ``chunks`` to the booking check at the ASGI level: (status, bytes the app read)."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": CHECK, "raw_path": CHECK.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json"),
                                     (b"authorization", f"Bearer {app.state.test_token}".encode()),
                                     *headers],
        "client": ("127.0.0.1", 1), "server": ("testserver", 80), "state": {},
    }  # fmt: skip
    pending, read, sent = list(chunks), 0, []

    async def receive() -> dict[str, Any]:
        nonlocal read
        body = pending.pop(0) if pending else b""
        read += len(body)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), read


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(app: FastAPI) -> None:
    declared = str(200 * 1024 * 1024).encode()
    status, read = _call(app, [(b"content-length", declared)], [b"x" * 1024] * 10)
    assert (status, read) == (413, 0)


def test_a_streamed_body_over_the_limit_is_cut_off_with_413(app: FastAPI) -> None:
    chunk = b" " * 16_384
    chunks = [chunk] * (MAX_BODY_BYTES // len(chunk) + 100)
    status, read = _call(app, [(b"transfer-encoding", b"chunked")], chunks)
    assert status == 413
    assert read <= MAX_BODY_BYTES + len(chunk), "the app kept reading past the limit"


def test_a_lying_content_length_is_caught_by_the_streamed_count(app: FastAPI) -> None:
    chunks = [b" " * 16_384] * (MAX_BODY_BYTES // 16_384 + 2)
    status, _ = _call(app, [(b"content-length", b"100")], chunks)
    assert status == 413


def test_a_content_length_that_is_not_a_number_is_a_400(app: FastAPI) -> None:
    assert _call(app, [(b"content-length", b"12x")], [b"{}"])[0] == 400


def test_a_body_within_the_limit_is_served(client: TestClient) -> None:
    padded = json.dumps(BOOKING) + " " * (MAX_BODY_BYTES - 200)
    response = client.post(CHECK, content=padded, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "not on file" in response.json()["detail"]
    chunked = client.post(
        CHECK, content=iter([padded.encode()] * 2), headers={"content-type": "application/json"}
    )
    assert chunked.status_code == 413 and chunked.json()["detail"].startswith("request body over")


def test_the_limit_is_in_the_openapi_description(client: TestClient) -> None:
    description = client.get("/api/openapi.json").json()["info"]["description"]
    assert f"over {MAX_BODY_BYTES} bytes are refused with 413" in description


class Failing(SampleData):
    def kpi_tiles(self, period: Period) -> Any:
        raise RuntimeError("patient Jane Doe, born 1950-04-01, member M-12345")


def test_an_unexpected_failure_is_a_500_with_an_error_id_and_no_patient_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = Failing(TODAY)
    data = WebData(fake, fake, fake, fake, fake, fake, fake, fake)
    app = create_app(SETTINGS, data)
    with TestClient(app, raise_server_exceptions=False) as failing, caplog.at_level(logging.DEBUG):
        signed_in(failing)
        api = failing.get("/api/dashboard/kpis")
        page = failing.get("/")
    assert api.status_code == page.status_code == 500
    assert api.json()["detail"].startswith("internal error (error id ")
    logged = " ".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    for said in (api.text, page.text, logged):
        assert "Jane" not in said and "M-12345" not in said and "1950" not in said
    error_id = api.json()["detail"].split("error id ")[1].rstrip(")")
    assert error_id in logged and "RuntimeError" in logged


def test_an_id_with_control_characters_is_refused(client: TestClient) -> None:
    response = client.get("/api/claims/C-%0A%1B[31m")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "must not contain control characters"


def test_an_echoed_key_is_a_short_escaped_excerpt(client: TestClient) -> None:
    key = "\n\x1b[31m" + "K" * 500
    response = client.post(CHECK, json=BOOKING | {"codes": {key: 1}})
    assert response.status_code == 422
    quoted = response.json()["detail"][0]["loc"][-2]
    assert quoted.startswith("\\n\\x1b[31m") and len(quoted) <= 40
    assert "\n" not in response.text and "\x1b" not in response.text


def test_a_validation_error_names_the_field_without_echoing_the_value(
    client: TestClient,
) -> None:
    response = client.get("/api/dashboard/kpis", params={"from": "Jane Doe " * 500})
    assert response.status_code == 422
    assert "Jane" not in response.text
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


def test_the_documented_body_limit_is_the_one_enforced() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    assert f"**{MAX_BODY_BYTES} bytes**" in doc
