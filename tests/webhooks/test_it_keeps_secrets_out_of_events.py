"""Canaries: no token, consumer secret, API key or signing secret appears in any event, webhook
payload, delivery log or page."""

import json
import re

import pytest
import responses
from django.urls import reverse

from api.models import APIKey
from connections import keepalive, oauth
from events.models import Event
from tests.connections.helpers import (
    CONSUMER_SECRET,
    ERRORS,
    add_token_error,
    add_token_response,
    make_connection,
)
from webhooks import tasks
from webhooks.models import Attempt, Delivery

pytestmark = pytest.mark.django_db
ACCESS_TOKEN = "00D5g000004XmplEAC!AQ0AQCanaryAccessToken.ForTestsOnly_9"
REFRESH_TOKEN = "5Aep861CanaryRefreshTokenForTestsOnly.ZZZZ9"


def test_no_secret_anywhere(alice_client, team, alice, receiver, endpoint):
    endpoint, signing_secret = endpoint
    connection = make_connection(team, refresh_token=REFRESH_TOKEN, access_token=ACCESS_TOKEN)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        add_token_response(rsps, access_token=ACCESS_TOKEN + "2", refresh_token=REFRESH_TOKEN + "2")
        keepalive.refresh_connection(connection.pk, force=True)
        add_token_error(rsps, ERRORS["refresh_expired_or_revoked"])
        keepalive.refresh_connection(connection.pk, force=True)
        rsps.post(re.compile(r".*/services/oauth2/revoke"), status=200)
        oauth.disconnect(connection, alice)
    _, raw_key = APIKey.create(team, "ETL", ["events:read"], alice)
    new_secret = endpoint.rotate_secret()
    for delivery_id in tasks.dispatch():
        tasks.attempt_delivery(delivery_id)

    secrets = [
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        CONSUMER_SECRET,
        raw_key,
        signing_secret,
        new_secret,
        signing_secret.removeprefix("whsec_"),
    ]
    texts = [json.dumps(event.payload()) + event.message for event in Event.objects.all()]
    texts += list(Delivery.objects.values_list("payload", flat=True))
    texts += [str(row) for row in Attempt.objects.values_list("response_body", "error")]
    texts += [request.body + json.dumps(request.headers) for request in receiver.received]
    for page in (
        reverse("events:activity", args=[team.slug]),
        reverse("webhooks:list", args=[team.slug]),
        reverse("webhooks:detail", args=[team.slug, endpoint.code]),
        reverse("connections:detail", args=[team.slug, connection.code]),
    ):
        texts.append(alice_client.get(page).content.decode())
    assert len(receiver.received) >= 4
    for text in texts:
        for secret in secrets:
            assert secret[:20] not in text
