"""No secret (consumer secret, tokens, code verifier) appears in any page, header, event or
log line the connection flows produce."""

import logging

import pytest
from django.urls import reverse

from connections.models import AuthorizationRequest, Connection, ConnectionEvent
from tests.connections.helpers import (
    ACCESS_TOKEN,
    API_VERSIONS,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    INSTANCE_URL,
    REFRESH_TOKEN,
    REVOKE_URL,
    TOKEN_URL,
    finish_flow,
    oauth_error,
    register_success,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")


def page_text(response) -> str:
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + response.content.decode()


def assert_hidden(texts, secrets):
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_it_keeps_secrets_out_of_pages_events_and_logs(alice_client, team, rsps, caplog):
    caplog.set_level(logging.DEBUG)
    pages = []

    def visit(response):
        pages.append(page_text(response))
        return response

    visit(alice_client.get(reverse("connections:new", args=[team.slug])))
    visit(
        alice_client.post(
            reverse("connections:new", args=[team.slug]),
            {"name": "Acme", "environment": "production"},
        )
    )
    connection = Connection.objects.get()
    credentials = {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET}
    visit(alice_client.get(url("credentials", connection)))
    visit(alice_client.post(url("credentials", connection), {"consumer_key": "bad"}))

    # A failing flow (wrong secret), then a working one.
    visit(alice_client.post(url("credentials", connection), credentials))
    first = AuthorizationRequest.objects.get()
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    state = first.state
    visit(finish_flow(alice_client, {"code": "c", "state": state}))

    rsps.reset()
    visit(alice_client.post(url("credentials", connection), credentials))
    second = AuthorizationRequest.objects.exclude(pk=first.pk).get()
    register_success(rsps)
    rsps.get(f"{INSTANCE_URL}/services/data/", json=API_VERSIONS)
    rsps.post(REVOKE_URL)
    visit(finish_flow(alice_client, {"code": "c", "state": second.state}))
    for name in ("detail", "edit", "credentials"):
        visit(alice_client.get(url(name, connection)))
    visit(alice_client.get(reverse("connections:list", args=[team.slug])))
    tested = visit(alice_client.post(url("test", connection), follow=True))
    assert "Salesforce answered" in tested.content.decode()
    visit(alice_client.post(url("disconnect", connection), follow=True))

    secrets = [
        CONSUMER_SECRET,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        first.code_verifier,
        second.code_verifier,
    ]
    events = [event.message for event in ConnectionEvent.objects.all()]
    logs = [record.getMessage() for record in caplog.records]
    assert len(events) >= 6
    assert_hidden(pages, secrets)
    assert_hidden(events, secrets)
    assert_hidden(logs, secrets)
    assert_hidden([repr(first), str(first), repr(connection.client_credentials)], secrets)
