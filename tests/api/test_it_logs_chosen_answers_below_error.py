"""Problems the API answers on purpose (424, 503) and Salesforce's own 5xx through the proxy
are no crash: nothing at ERROR (which also emails the admins), a 5xx at WARNING. A real
crash is still logged at ERROR."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connections.models import Connection
from tests.api.conftest import bearer
from tests.api.helpers import fresh_connection, proxy_url
from tests.connections.helpers import INSTANCE_URL, TOKEN_URL, make_connection


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def warnings(caplog, logger: str) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == logger
    ]


def post_token(client, raw, connection, body: str = "{}"):
    url = reverse("api:access_token", args=[connection.code])
    return client.post(url, body, content_type="application/json", **bearer(raw))


def test_424_misconfigured_logs_no_error(client, make_key, team, caplog):
    connection = make_connection(team, status=Connection.Status.MISCONFIGURED)
    _, raw = make_key()
    with caplog.at_level(logging.INFO):
        assert post_token(client, raw, connection).status_code == 424
    assert not errors(caplog)


def test_503_salesforce_unavailable_is_a_warning(client, make_key, team, rsps, caplog, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    now = timezone.now()
    connection = make_connection(team, last_used=now, issued_at=now - timedelta(minutes=10))
    rsps.post(TOKEN_URL, status=503, body="Service Unavailable")
    _, raw = make_key()
    with caplog.at_level(logging.INFO):
        response = post_token(client, raw, connection, '{"min_ttl_seconds": 3000}')
    assert response.status_code == 503
    assert response.json()["code"] == "salesforce_unavailable"
    assert not errors(caplog)
    assert any("salesforce_unavailable" in line for line in warnings(caplog, "api.problems"))


def test_salesforces_own_5xx_through_the_proxy_is_no_error(client, make_key, team, rsps, caplog):
    rsps.get(
        f"{INSTANCE_URL}/services/data/", status=503, json=[{"errorCode": "SERVER_UNAVAILABLE"}]
    )
    _, raw = make_key()
    with caplog.at_level(logging.INFO):
        response = client.get(proxy_url(fresh_connection(team), "data/"), **bearer(raw))
    assert response.status_code == 503
    assert not errors(caplog)


def test_a_crash_is_still_an_error(client, make_key, connection, monkeypatch, caplog):
    from api import views

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.keepalive, "issue_access_token", crash)
    _, raw = make_key()
    with caplog.at_level(logging.INFO):
        assert post_token(client, raw, connection).status_code == 500
    assert errors(caplog)
