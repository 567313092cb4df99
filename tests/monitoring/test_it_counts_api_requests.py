"""API requests (paths under /api/v1/) by endpoint, method and status, and their latency.
The endpoint label is the URL's route name, never the path (which holds codes)."""

import uuid

import pytest

from tests.monitoring.helpers import TOKEN, scrape, value

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.monitoring.api_urls")]

REQUESTS = "orgkeeper_api_requests_total"
LATENCY_COUNT = "orgkeeper_api_request_duration_seconds_count"


@pytest.fixture
def metrics(client, settings):
    settings.METRICS_TOKEN = TOKEN
    return lambda: scrape(client)


def counted(text: str, endpoint: str, method: str, status: str) -> float:
    return value(text, REQUESTS, endpoint=endpoint, method=method, status=status) or 0


def test_it_counts_requests_by_route_name_method_and_status(client, metrics):
    before = metrics()
    code = uuid.uuid4()
    for _ in range(3):
        assert client.get(f"/api/v1/connections/{code}/").status_code == 200
    client.get(f"/api/v1/connections/{uuid.uuid4()}/", {"fail": "1"})
    client.post(f"/api/v1/connections/{code}/")
    client.get("/api/v1/no-such-endpoint/")
    client.generic("BREW", f"/api/v1/connections/{code}/")

    after = metrics()

    def delta(*labels):
        return counted(after, *labels) - counted(before, *labels)

    assert delta("api:probe-detail", "GET", "200") == 3
    assert delta("api:probe-detail", "GET", "404") == 1
    assert delta("api:probe-detail", "POST", "200") == 1
    assert delta("api:not_found", "GET", "404") == 1  # the API URLconf's catch-all
    assert delta("api:probe-detail", "other", "200") == 1  # no unbounded method names
    latency = value(after, LATENCY_COUNT, endpoint="api:probe-detail", method="GET")
    earlier = value(before, LATENCY_COUNT, endpoint="api:probe-detail", method="GET") or 0
    assert latency - earlier == 4
    assert str(code) not in after
    assert "/api/v1/" not in after


def test_it_leaves_out_pages_outside_the_api(client, metrics):
    before = metrics()
    client.get("/accounts/login/")
    client.get("/healthz")
    assert metrics().count(REQUESTS + "{") == before.count(REQUESTS + "{")
