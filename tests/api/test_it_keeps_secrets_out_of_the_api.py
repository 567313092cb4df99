"""Canaries: the refresh token and the consumer secret appear in no API response, problem
detail, log line or page, whatever the API is asked and however Salesforce answers."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import bearer
from tests.connections.helpers import (
    CONSUMER_SECRET,
    INSTANCE_URL,
    TOKEN_URL,
    add_token_response,
    make_connection,
)

REFRESH_CANARY = "5Aep861CANARYrefreshTOKEN.never.leaves.Orgkeeper"
ROTATED_CANARY = "5Aep861CANARYrotatedREFRESH.never.leaves.Orgkeeper"
SECRETS = (REFRESH_CANARY, ROTATED_CANARY, CONSUMER_SECRET)


@pytest.fixture
def canary(team):
    now = timezone.now()
    return make_connection(
        team, last_used=now, issued_at=now - timedelta(minutes=5), refresh_token=REFRESH_CANARY
    )


def echo_secrets(rsps, status=400, error="invalid_grant"):
    """Salesforce (or a proxy in between) repeating what it was sent."""
    rsps.post(
        TOKEN_URL,
        status=status,
        json={
            "error": error,
            "error_description": f"bad {REFRESH_CANARY} {CONSUMER_SECRET}",
        },
    )


def calls(api, raw, connection):
    """Every API endpoint, once each."""
    code = connection.code
    post = {"format": "json", **bearer(raw)}
    yield api.get(reverse("api:connections"), **bearer(raw))
    yield api.get(reverse("api:connection", args=[code]), **bearer(raw))
    yield api.post(reverse("api:access_token", args=[code]), {"force_refresh": True}, **post)
    yield api.post(reverse("api:access_token_invalid", args=[code]), {"token_version": 1}, **post)
    yield api.post(reverse("api:test", args=[code]), **bearer(raw))
    yield api.get(reverse("api:proxy", args=[code, "data/v65.0/limits"]), **bearer(raw))


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def run_everything(api, raw, connection, caplog, alice_client):
    texts = []
    with caplog.at_level(logging.DEBUG):
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            texts += [body(response) for response in calls(api, raw, connection)]
        for page in (
            reverse("api:keys", args=[connection.team.slug]),
            connection.get_absolute_url(),
            reverse("api:docs"),
        ):
            texts.append(alice_client.get(page).content.decode())
        texts.append(api.get(reverse("api:schema")).content.decode())
    texts.append(caplog.text)
    texts += [str(record.args) for record in caplog.records]
    for text in texts:
        assert_clean(text)
    return texts


def test_a_working_connection(api, make_key, canary, rsps, caplog, alice_client):
    add_token_response(rsps, access_token="AT-2", refresh_token=ROTATED_CANARY)
    rsps.get(f"{INSTANCE_URL}/services/data/", json=[{"version": "65.0"}])
    rsps.get(f"{INSTANCE_URL}/services/data/v65.0/limits", json={"DailyApiRequests": {}})
    _, raw = make_key()
    texts = run_everything(api, raw, canary, caplog, alice_client)
    assert any('"access_token":"AT-2"' in text for text in texts)


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "invalid_grant"), (400, "invalid_client"), (400, "unknown_error"), (500, "")],
)
def test_salesforce_repeating_the_secrets(
    api, make_key, canary, rsps, caplog, alice_client, status, error
):
    echo_secrets(rsps, status, error)
    rsps.get(
        f"{INSTANCE_URL}/services/data/",
        status=401,
        json=[{"message": f"Session expired {REFRESH_CANARY}", "errorCode": "INVALID_SESSION_ID"}],
    )
    _, raw = make_key()
    texts = run_everything(api, raw, canary, caplog, alice_client)
    assert any('"code":"' in text for text in texts)


def test_a_crash_keeps_the_key_and_the_secrets_out_of_the_error_email(
    make_key, canary, rsps, settings, monkeypatch
):
    from django.core import mail
    from django.test import Client

    from api import views

    settings.ADMINS = [("Ops", "ops@example.com")]

    def explode(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(views.versions, "api_base_url", explode)
    _, raw = make_key()
    response = Client(raise_request_exception=False).post(
        reverse("api:access_token", args=[canary.code]),
        "{}",
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert mail.outbox, "the crash was reported"
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}\n{message.alternatives}"
        assert raw not in text
        assert "HTTP_AUTHORIZATION" in text  # reported, redacted
        assert_clean(text)
