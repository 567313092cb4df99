"""A Dynamics 365 connection's whole life against the Entra emulator (sign-in, discovery,
pages, Test connection, refreshes, Disconnect) with a canary client secret and code verifier:
neither they nor the tokens Entra issued appear in a page, a log line (DEBUG, libraries
included), an email or a database column stored in clear."""

import pytest
from django.urls import reverse

from connections.models import TokenSet
from tests.connections.helpers import url
from tests.emulators.entra.fixtures import entra_emulator  # noqa: F401
from tests.providers.dynamics.conftest import dynamics_settings  # noqa: F401
from tests.providers.dynamics.helpers import callback, sign_in_url, start
from tests.security.conftest import (
    CANARY_CONSUMER_SECRET,
    assert_no_canary,
    database_texts,
    outbox_texts,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("public_urls", "canary_verifier", "dynamics_settings"),
]


def test_it_keeps_secrets_and_tokens_out_of_everything(
    alice_recorder,
    team,
    entra_emulator,  # noqa: F811
    settings,
    all_logs,
):
    client = alice_recorder
    entra_emulator.demo_app.client_secret = CANARY_CONSUMER_SECRET
    settings.DYNAMICS_CLIENT_SECRET = CANARY_CONSUMER_SECRET
    client.get(reverse("connections:new", args=[team.slug]) + "?provider=dynamics")
    connection = start(client, team, entra_emulator.environment_url("orgkeeper-demo"))
    location = entra_emulator.sign_in(sign_in_url(client, connection))
    assert callback(client, location).status_code == 302
    issued = []
    tokens = TokenSet.objects.get()
    issued += [tokens.access_token, tokens.refresh_token]
    for name in ("detail", "edit", "credentials", "disconnect"):
        client.get(url(name, connection), follow=True)
    client.get(reverse("connections:list", args=[team.slug]))
    client.post(url("test", connection), follow=True)
    client.post(url("refresh", connection), follow=True)
    tokens = TokenSet.objects.get()
    issued += [tokens.access_token, tokens.refresh_token]
    client.post(url("disconnect", connection), follow=True)
    client.get(url("detail", connection))

    assert len(set(issued)) == 4
    assert len(client.responses) > 10
    texts = [*client.texts(), *all_logs.lines, *outbox_texts(), *database_texts()]
    assert_no_canary(texts, "a page, log, email or database column")
    for secret in issued:
        assert not [text for text in texts if secret in text]
