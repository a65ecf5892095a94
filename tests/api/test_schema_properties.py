"""Property-based test of the API against its own OpenAPI schema (schemathesis 4, in-process through WSGI).

For each operation in /api/v1/openapi.json schemathesis generates valid and invalid query strings, calls the API
with a Bufdir key and runs its checks: no server errors, status codes, content types, bodies and headers as
documented, invalid input rejected and valid input accepted, and calls without the key refused. The strategies
are built inside the test (not with @schema.parametrize at import time) so that the calls run in the test's own
database transaction, on SQLite and on PostgreSQL alike."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from api.authentication import ApiThrottle, FailedTokenThrottle

from .conftest import make_token

OPERATIONS = ["/api/v1/summary", "/api/v1/awards", "/api/v1/figures"]


def filter_query(ctx, query) -> bool:
    """year_from <= year_to is a rule across two parameters that OpenAPI cannot express (the API answers 400,
    tested in test_endpoints): keep generated valid queries within it."""
    year_from, year_to = (query or {}).get("year_from"), (query or {}).get("year_to")
    if isinstance(year_from, int) and isinstance(year_to, int):
        return year_from <= year_to
    return True


@pytest.fixture
def api_schema(reference_data, awards, monkeypatch):
    from config.wsgi import application

    # Many calls in a few seconds: lift the rates so the checks see real answers, not 429.
    rates = {"api": "100000/min", "api_token_failed": "100000/min"}
    monkeypatch.setattr(ApiThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(FailedTokenThrottle, "THROTTLE_RATES", rates)
    # Schemathesis calls the WSGI application directly, not through Django's test client. Do what the test client
    # does: keep Django from closing the connection after each request, which on PostgreSQL would end the test's
    # transaction (the in-memory SQLite connection ignores close()).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        schema.hook(filter_query)
        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["gyldig", "ugyldig"])
@pytest.mark.parametrize("path", OPERATIONS)
def test_api_conforms_to_its_schema(api_schema, bufdir, path, mode):
    _token, secret = make_token(bufdir, "Egenskapstest")
    headers = {"Authorization": f"Bearer {secret}"}
    strategy = api_schema[path]["GET"].as_strategy(generation_mode=mode)
    calls = []

    @given(case=strategy)
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate(headers=headers)
        calls.append(response.status_code)

    run()
    assert calls, "schemathesis made no calls"
    if mode == GenerationMode.POSITIVE:
        assert 200 in calls
    else:
        assert 400 in calls
