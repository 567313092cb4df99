"""A connection holding tokens changes its Consumer Key only through Re-authorize (step 2),
which applies the key once the sign-in succeeds; Edit keeps name and secret editable."""

import re

import pytest

from connections.models import ClientCredentials
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    REVOKE_URL,
    TOKEN_URL,
    finish_flow,
    query,
    register_success,
    token_body,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")

NEW_KEY = "3MVG9NewConsumerKey.For_Orgkeeper_Tests0002"


def stored_app() -> tuple[str, str]:
    app = ClientCredentials.objects.get()
    return app.consumer_key, app.consumer_secret


def test_edit_shows_the_key_read_only_and_points_to_reauthorize(alice_client, connection):
    page = alice_client.get(url("edit", connection)).content.decode()
    assert re.search(r'<input type="text" name="consumer_key"[^>]* disabled[ >]', page)
    assert f'<a href="{url("credentials", connection)}">Re-authorize</a>' in page


def test_edit_keeps_the_key_but_saves_name_and_secret(alice_client, connection, rsps):
    data = {"name": "Renamed", "consumer_key": NEW_KEY, "consumer_secret": "NewSecret0123456789"}
    rsps.post(TOKEN_URL, json=token_body("NewSecret0123456789"))  # the secret is verified

    response = alice_client.post(url("edit", connection), data, follow=True)

    page = response.content.decode()
    assert "Saved." in page
    assert "previous Consumer Key" not in page
    assert stored_app() == (CONSUMER_KEY, "NewSecret0123456789")
    connection.refresh_from_db()
    assert connection.name == "Renamed"


def test_edit_still_changes_the_key_of_a_draft(alice_client, draft):
    alice_client.post(
        url("edit", draft), {"name": "Draft", "environment": "production", "consumer_key": NEW_KEY}
    )
    assert stored_app() == (NEW_KEY, CONSUMER_SECRET)


def test_reauthorize_applies_the_new_key_once_the_sign_in_succeeds(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    response = alice_client.post(
        url("credentials", connection), {"consumer_key": NEW_KEY, "consumer_secret": ""}
    )
    params = query(response["Location"])
    assert params["client_id"] == NEW_KEY
    assert stored_app() == (CONSUMER_KEY, CONSUMER_SECRET)  # not before the sign-in succeeds

    register_success(rsps)
    rsps.post(REVOKE_URL)
    with django_capture_on_commit_callbacks(execute=True):
        finish_flow(alice_client, {"code": "c", "state": params["state"]})

    assert stored_app() == (NEW_KEY, CONSUMER_SECRET)
