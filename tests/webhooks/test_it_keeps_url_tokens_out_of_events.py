"""webhook.created and webhook.disabled show the endpoint's URL without its query or user
info (which may carry a token): the activity log and the payloads sent to the team's other
endpoints get scheme, host, port and path only."""

import json

import pytest

from events.models import Event
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

TOKEN = "tok-s3cret-value"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"https://hooks.example.com/in?token={TOKEN}", "https://hooks.example.com/in"),
        (f"https://hooks.example.com:8443/in?a=1&key={TOKEN}", "https://hooks.example.com:8443/in"),
        (f"https://user:{TOKEN}@hooks.example.com/in", "https://hooks.example.com/in"),
        (f"https://[2001:db8::1]/in?token={TOKEN}", "https://[2001:db8::1]/in"),
    ],
)
def test_events_show_the_url_without_query_or_user_info(team, alice, url, shown):
    endpoint, _ = Endpoint.create(team, url, [], alice)
    endpoint.disable("every delivery failed for 3 days in a row.")

    for event in Event.objects.filter(type__in=["webhook.created", "webhook.disabled"]):
        assert event.payload()["data"]["webhook"]["url"] == shown
        assert TOKEN not in json.dumps(event.payload()) + event.message
    assert Event.objects.filter(type__startswith="webhook.").count() == 2
