"""A database error while storing the tokens of a just-exchanged authorization code doesn't
lose them (the code can't be exchanged again): the callback writes them again from memory."""

import pytest
from django.db import OperationalError

from connections import token_writes
from connections.models import Connection, TokenSet
from tests.connections.helpers import (
    ACCESS_TOKEN,
    CONSUMER_SECRET,
    REFRESH_TOKEN,
    failing_token_writes,
    finish_flow,
    register_success,
    start_flow,
)

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(token_writes, "FIRST_WAIT", 0.01)
    monkeypatch.setattr(token_writes, "LONGEST_WAIT", 0.05)


def sign_in_with_failing_writes(client, draft, rsps, failures: int):
    params = start_flow(client, draft, secret=CONSUMER_SECRET)
    register_success(rsps)
    with failing_token_writes(failures) as sent_on:
        response = finish_flow(client, {"code": "aPrxCode", "state": params["state"]})
    return response, sent_on


def assert_connected(draft) -> None:
    tokens = TokenSet.objects.get()
    assert (tokens.access_token, tokens.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    draft.refresh_from_db()
    assert draft.status == Connection.Status.CONNECTED
    assert draft.client_credentials.consumer_secret == CONSUMER_SECRET
    assert draft.events.filter(kind="authorized").count() == 1


def test_it_stores_the_tokens_after_database_errors(alice_client, draft, rsps, caplog):
    response, sent_on = sign_in_with_failing_writes(alice_client, draft, rsps, failures=2)
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert len(sent_on) == 3
    assert_connected(draft)
    assert len([call for call in rsps.calls if "/token" in call.request.url]) == 1
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, CONSUMER_SECRET):
        assert secret not in caplog.text


def test_it_gives_up_after_the_retry_window(alice_client, draft, rsps, caplog, monkeypatch):
    monkeypatch.setattr(token_writes, "RETRY_FOR", 0.3)
    with pytest.raises(OperationalError):
        sign_in_with_failing_writes(alice_client, draft, rsps, failures=1000)
    assert not TokenSet.objects.exists()
    assert f"the sign-in of connection {draft.pk} are LOST" in caplog.text
    assert (
        "Salesforce has already replaced the stored refresh token; the connection will need a "
        "new sign-in." in caplog.text
    )
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, CONSUMER_SECRET):
        assert secret not in caplog.text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_stores_them_on_a_fresh_postgresql_connection(alice_client, draft, rsps):
    response, sent_on = sign_in_with_failing_writes(alice_client, draft, rsps, failures=2)
    assert response.status_code == 302
    assert len({id(raw) for raw in sent_on}) == 3
    assert_connected(draft)
