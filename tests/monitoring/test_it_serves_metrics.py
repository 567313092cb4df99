"""/metrics: 404 without METRICS_TOKEN, 401 without the bearer token, the exposition with it."""

import pytest

from tests.monitoring.helpers import TOKEN, scrape, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_it_is_not_found_without_metrics_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"],
)
def test_it_needs_the_bearer_token(client, token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"orgkeeper_" not in response.content


def test_it_serves_the_exposition_with_the_token(client, token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert "# TYPE orgkeeper_keepalive_refreshes_total counter" in text
    assert "# TYPE orgkeeper_keepalive_refresh_duration_seconds histogram" in text
    assert "# TYPE orgkeeper_connections gauge" in text


def test_the_scheme_is_case_insensitive(client, token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert response.status_code == 200


def test_every_outcome_has_a_sample_before_the_first_refresh(client, token):
    text = scrape(client)
    for outcome in ("success", "transient", "needs_reauthorization", "misconfigured", "lost"):
        assert value(text, "orgkeeper_keepalive_refreshes_total", outcome=outcome) is not None
