"""Schemathesis over the authenticated JSON API (an admin's API token on two clinics' data):
every operation of the OpenAPI document fuzzed with generated parameters and bodies; no
answer is a 5xx and every answer matches the document (status codes, content types,
response schemas, the declared security schemes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ptrcm.domain.access import Role
from tests.e2e.two_clinics import Clinics, build
from tests.web_access import api_token

EXAMPLES = 15
# Off: a date outside 1900-2199 is schema-valid (JSON Schema cannot bound a date) and the
# API answers it with its documented 400; every other check (no 5xx, status codes, content
# types, response schemas, auth) is on.


@pytest.fixture(scope="module")
def clinics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinics]:
    yield build(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def bearer(clinics: Clinics) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(clinics.app, Role.admin, 'clinic-a')}"}


@pytest.fixture(scope="module")
def api_schema(clinics: Clinics, bearer: dict[str, str]) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", clinics.app, headers=bearer)


def test_no_operation_answers_a_5xx_or_off_its_schema(
    api_schema: Any, bearer: dict[str, str]
) -> None:
    """Each operation in turn (Schemathesis's Python API: a Hypothesis strategy of cases per
    operation), so one failing operation names itself."""
    failed: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=bearer, excluded_checks=[positive_data_acceptance])

        try:
            fuzz()
        except Exception as exc:  # collect every operation's failure, then report them all
            failed[operation.label] = str(exc).splitlines()[0][:300]
    assert operations >= 20
    assert failed == {}


def test_the_document_declares_the_session_and_bearer_schemes(
    clinics: Clinics, bearer: dict[str, str]
) -> None:
    from fastapi.testclient import TestClient

    document = TestClient(clinics.app).get("/api/openapi.json", headers=bearer).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer",
                                 "description": schemes["bearer"]["description"]}  # fmt: skip
    assert schemes["session"]["type"] == "apiKey" and schemes["session"]["in"] == "cookie"
    for path, operations in document["paths"].items():
        for verb, operation in operations.items():
            declared = [next(iter(s)) for s in operation.get("security", [])]
            expected = [] if path == "/healthz" else ["bearer", "session"]
            assert sorted(declared) == expected, (verb, path)
