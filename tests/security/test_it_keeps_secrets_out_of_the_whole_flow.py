"""Canary secrets (consumer secret, access and refresh tokens, PKCE code verifier) go through
the whole life of a connection: the wizard, the callback, the pages, Test connection, a
rotating refresh, a refresh after a 401, Disconnect, and the Django admin. None of them may
appear in a page, a header, a log line (DEBUG, libraries included), an email, an event, a
database column stored in clear, or the ``str``/``repr`` of a model instance."""

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from connections.models import Connection
from tests.connections.helpers import (
    API_VERSIONS,
    CALLBACK_PATH,
    CONSUMER_KEY,
    PROBE_URL,
    REVOKE_URL,
    TOKEN_URL,
    query,
    register_success,
    token_body,
    url,
)
from tests.security.conftest import (
    CANARY_ACCESS_TOKEN,
    CANARY_CONSUMER_SECRET,
    CANARY_REFRESH_TOKEN,
    ROTATED_ACCESS_TOKEN,
    ROTATED_REFRESH_TOKEN,
    RecordingClient,
    assert_no_canary,
    database_texts,
    model_labels,
    outbox_texts,
)

pytestmark = pytest.mark.usefixtures("public_urls", "canary_verifier")


@pytest.fixture
def client(alice_recorder) -> RecordingClient:
    """Every page these tests open is checked for canaries."""
    return alice_recorder


def connect(client, team, rsps) -> Connection:
    """The wizard's two steps and the callback, with the canary secret and tokens."""
    new = reverse("connections:new", args=[team.slug])
    client.get(new)
    client.post(new, {"name": "Acme", "environment": "production"}, follow=True)
    connection = Connection.objects.get()
    client.post(url("credentials", connection), {"consumer_key": CONSUMER_KEY})  # form error
    started = client.post(
        url("credentials", connection),
        {"consumer_key": CONSUMER_KEY, "consumer_secret": CANARY_CONSUMER_SECRET},
    )
    assert started.status_code == 302
    token = token_body(
        CANARY_CONSUMER_SECRET, access_token=CANARY_ACCESS_TOKEN, refresh_token=CANARY_REFRESH_TOKEN
    )
    register_success(rsps, secret=CANARY_CONSUMER_SECRET, token=token)
    state = query(started["Location"])["state"]
    done = client.get(CALLBACK_PATH, {"code": "aPrx.AuthorizationCode", "state": state})
    assert done.status_code == 302, done.content
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    return connection


def use(client, team, connection, rsps) -> None:
    """Every page, Test connection, a rotating refresh, a 401 that refreshes, Disconnect."""
    for name in ("detail", "edit", "credentials", "delete", "disconnect"):
        client.get(url(name, connection), follow=True)
    client.get(reverse("connections:list", args=[team.slug]))
    client.get(reverse("accounts:members", args=[team.slug]))

    rsps.reset()
    rsps.get(PROBE_URL, json=API_VERSIONS)
    tested = client.post(url("test", connection), follow=True)
    assert "Salesforce answered" in tested.content.decode()

    rsps.reset()
    rotated = token_body(
        CANARY_CONSUMER_SECRET,
        access_token=ROTATED_ACCESS_TOKEN,
        refresh_token=ROTATED_REFRESH_TOKEN,
    )
    rsps.post(TOKEN_URL, json=rotated)
    refreshed = client.post(url("refresh", connection), follow=True)
    assert "Refreshed" in refreshed.content.decode()

    rsps.reset()
    rsps.get(PROBE_URL, status=401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "x"}])
    rsps.get(PROBE_URL, json=API_VERSIONS)
    rsps.post(TOKEN_URL, json=token_body(CANARY_CONSUMER_SECRET, access_token=CANARY_ACCESS_TOKEN))
    client.post(url("test", connection), follow=True)

    rsps.reset()
    rsps.post(REVOKE_URL)
    client.post(url("disconnect", connection), follow=True)
    for name in ("detail", "edit", "delete"):
        client.get(url(name, connection), follow=True)


def visit_admin(client) -> None:
    """The index, and the changelist, add and change pages of every registered model."""
    client.get(reverse("admin:index"))
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        client.get(reverse("admin:{}_{}_add".format(*info)))
        for obj in model._default_manager.all()[:20]:
            page = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert page.status_code == 200, (model, page.status_code)


def test_it_keeps_canaries_out_of_everything(client, root_recorder, team, rsps, all_logs):
    connection = connect(client, team, rsps)
    visit_admin(root_recorder)  # while tokens and a used flow exist
    use(client, team, connection, rsps)
    visit_admin(root_recorder)

    assert len(client.responses) > 20
    assert_no_canary(client.texts(), "a page seen by the team")
    assert_no_canary(root_recorder.texts(), "an admin page")
    assert_no_canary(all_logs.lines, "the logs")
    assert_no_canary(outbox_texts(), "an email")
    assert_no_canary(database_texts(), "the database")
    assert_no_canary(model_labels(), "a model's str or repr")


def test_it_sends_canaries_only_to_salesforce(client, team, rsps, all_logs):
    """The canaries did travel (so the test above means something): the secret and the
    verifier in the token request, the access token as the Bearer header."""
    connect(client, team, rsps)
    exchange, identity = rsps.calls[0], rsps.calls[1]
    assert CANARY_CONSUMER_SECRET in exchange.request.body
    assert "CanaryCodeVerifierQx" in exchange.request.body
    assert identity.request.headers["Authorization"] == f"Bearer {CANARY_ACCESS_TOKEN}"
    assert not mail.outbox
