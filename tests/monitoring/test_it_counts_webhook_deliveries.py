"""Webhook delivery attempts by outcome and their duration, and endpoints by state, as /metrics
reports them after real deliveries to receivers on loopback."""

import socket

import pytest
from django.test import override_settings

from tests.monitoring.helpers import TOKEN, increase, scrape, value
from tests.webhooks.helpers import Receiver
from webhooks import tasks
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

COUNTER = "orgkeeper_webhook_deliveries_total"
DURATION_COUNT = "orgkeeper_webhook_delivery_duration_seconds_count"
DURATION_SUM = "orgkeeper_webhook_delivery_duration_seconds_sum"
OUTCOMES = ("success", "failure", "no_answer", "refused")


@pytest.fixture
def read(client, settings):
    """``{outcome: (attempts, timed attempts, seconds)}`` now, as /metrics reports them."""
    settings.METRICS_TOKEN = TOKEN

    def counts() -> dict[str, tuple[float, float, float]]:
        text = scrape(client)
        return {
            outcome: tuple(
                value(text, name, outcome=outcome)
                for name in (COUNTER, DURATION_COUNT, DURATION_SUM)
            )
            for outcome in OUTCOMES
        }

    return counts


def deliver_test_event(team, alice, url: str) -> Delivery:
    """Create an endpoint at ``url`` and make one attempt of a test event to it."""
    endpoint, _ = Endpoint.create(team, url, [], alice)
    delivery = tasks.send_test_event(endpoint, alice)
    tasks.attempt_delivery(delivery.pk)
    return delivery


def closed_port_url() -> str:
    """A loopback URL where nothing listens (the connection is refused)."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def test_each_outcome_is_counted_and_timed(team, alice, read):
    before = read()
    with Receiver() as ok, Receiver(statuses=[500]) as failing, Receiver(statuses=[307]) as moving:
        moving.headers = {"Location": ok.url}
        deliver_test_event(team, alice, ok.url)
        deliver_test_event(team, alice, ok.url)
        deliver_test_event(team, alice, failing.url)
        deliver_test_event(team, alice, moving.url)  # a redirect is not followed: a failure
        deliver_test_event(team, alice, closed_port_url())
        with override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False):
            refused = deliver_test_event(team, alice, failing.url)
        assert (len(ok.received), len(failing.received), len(moving.received)) == (2, 1, 1)

    after = read()
    assert increase(before, after) == {"success": 2, "failure": 2, "no_answer": 1, "refused": 1}
    for outcome, (count, timed, _) in after.items():
        assert timed - before[outcome][1] == count - before[outcome][0]
    recorded = sum(a.duration_ms for a in Delivery.objects.get(pk=refused.pk).attempts.all())
    assert after["refused"][2] - before["refused"][2] == pytest.approx(recorded / 1000)


def test_every_outcome_has_a_sample_before_the_first_delivery(read):
    assert all(None not in counts for counts in read().values())


def test_retries_count_as_attempts(team, alice, read):
    before = read()
    with Receiver(statuses=[503, 503, 200]) as flaky:
        delivery = deliver_test_event(team, alice, flaky.url)
        for _ in range(2):
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
            tasks.attempt_delivery(delivery.pk)

    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SUCCEEDED
    assert increase(before, read()) == {"failure": 2, "success": 1}


def test_it_reports_endpoints_by_state(client, settings, team, alice):
    settings.METRICS_TOKEN = TOKEN
    with Receiver() as ok, Receiver(statuses=[500]) as failing:
        deliver_test_event(team, alice, ok.url)
        deliver_test_event(team, alice, failing.url)
        deliver_test_event(team, alice, failing.url)
    Endpoint.objects.filter(url=ok.url).get().disable("a test")
    Endpoint.create(team, ok.url, [], alice)  # never attempted

    text = scrape(client)
    states = {
        state: value(text, "orgkeeper_webhook_endpoints", state=state)
        for state in ("ok", "failing", "disabled")
    }
    assert states == {"ok": 1, "failing": 2, "disabled": 1}
