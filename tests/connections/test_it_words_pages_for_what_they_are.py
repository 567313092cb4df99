"""Wording a new admin tripped over (issue 14, item 14): each page says what is true for the
connection it shows."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from connections import alerts
from connections.models import Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import (
    REVOKE_URL,
    TOKEN_URL,
    finish_flow,
    oauth_error,
    reauthorize,
    start_flow,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")
WRONG_SECRET = "NotTheRightSecret0001"
KEEPS = "keeps its previous Consumer Key, Consumer Secret and tokens"


def _wrong_secret_page(client, connection) -> str:
    params = start_flow(client, connection, secret=WRONG_SECRET)
    response = finish_flow(client, {"code": "c", "state": params["state"]})
    assert response.status_code == 400
    return response.content.decode()


def test_a_wrong_secret_on_a_new_connection_promises_nothing_kept(alice_client, team, alice, rsps):
    fresh = Connection.objects.create(team=team, name="Acme", created_by=alice)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    page = _wrong_secret_page(alice_client, fresh)
    assert "The Consumer Secret is wrong." in page
    assert "previous" not in page


def test_a_wrong_secret_on_a_connected_connection_says_it_is_kept(alice_client, connection, rsps):
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    assert KEEPS in _wrong_secret_page(alice_client, connection)


def test_the_reauthorize_page_is_not_step_2_of_2(alice_client, connection, draft):
    assert "Step 2 of 2" in alice_client.get(url("credentials", draft)).content.decode()
    page = alice_client.get(url("credentials", connection)).content.decode()
    assert "Step 2 of 2" not in page
    assert f"Re-authorize {connection.name}" in page


def _primary_action(page: str) -> str:
    """The label of the actions' one main (not secondary, not danger) button."""
    actions = page.split('<div class="actions">', 1)[1].split("</div>", 1)[0]
    main = re.findall(r'(?:<a class="button" [^>]*|<button type="submit")>([^<]+)<', actions)
    assert len(main) == 1, main
    return main[0]


def test_test_connection_is_the_main_button_of_a_healthy_connection(alice_client, connection):
    assert _primary_action(alice_client.get(url("detail", connection)).content.decode()) == (
        "Test connection"
    )


def test_reauthorize_is_the_main_button_of_a_broken_connection(alice_client, connection):
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")
    page = alice_client.get(url("detail", connection)).content.decode()
    assert _primary_action(page) == "Re-authorize"


@pytest.mark.parametrize(
    ("admins", "text"), [(0, "Emailed 1 owner or admin:"), (1, "Emailed 2 owners and admins:")]
)
def test_the_alert_event_counts_owners_and_admins_in_words(connection, bob, admins, text):
    if not admins:
        bob.memberships.all().delete()
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")
    alerts.notify(connection.pk)
    event = connection.events.get(kind=ConnectionEvent.Kind.ALERT_SENT)
    assert event.message.startswith(text)
    assert "(s)" not in event.message


def test_the_alert_email_says_only_the_key_is_filled_in(connection):
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")
    alerts.notify(connection.pk)
    body = mail.outbox[0].body
    assert "already filled in" not in body
    assert "Consumer Key is filled in" in body
    assert "leave the Consumer Secret empty to keep the saved one" in body


def test_every_time_on_the_connection_pages_says_utc(alice_client, connection):
    tokens = connection.tokens
    tokens.refreshed_at = timezone.now()
    tokens.save()
    connection.record(ConnectionEvent.Kind.UPDATED, "Settings updated.")
    for name in ("list", "detail"):
        target = (
            url("detail", connection)
            if name == "detail"
            else f"/teams/{connection.team.slug}/connections/"
        )
        page = alice_client.get(target).content.decode()
        dates = re.findall(r"\d{4}-\d{2}-\d{2}[^<]{0,10}", page)
        assert dates, name
        full = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
        assert all(full.match(date) for date in dates), (name, dates)


def test_the_token_generation_keeps_growing_across_a_reauthorization(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    tokens = connection.tokens
    tokens.generation = 3
    tokens.save()
    rsps.post(REVOKE_URL)
    alice_client.post(url("disconnect", connection))
    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)
    assert TokenSet.objects.get(connection=connection).generation == 4
