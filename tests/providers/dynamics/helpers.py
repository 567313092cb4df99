"""Drive the Dynamics 365 wizard against the Entra emulator over real HTTP: step 1 (name and
environment URL), Sign in with Microsoft, sign-in and consent at the emulator, then
Orgkeeper's callback."""

import uuid

from django.urls import reverse

from connections.models import Connection
from tests.connections.helpers import CALLBACK_PATH, PUBLIC_CALLBACK, query, url


def start(client, team, environment_url: str, name: str = "Contoso sales") -> Connection:
    """Step 1 for a new Dynamics connection; returns the draft."""
    response = client.post(
        reverse("connections:new", args=[team.slug]) + "?provider=dynamics",
        {"name": name, "environment_url": environment_url},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Connection.objects.filter(team=team).latest("pk")


def sign_in_url(client, connection) -> str:
    """Step 2's Sign in with Microsoft (also Re-authorize): the authorize URL."""
    response = client.post(url("credentials", connection), {"submission": str(uuid.uuid4())})
    assert response.status_code == 302, response.content.decode()[-3000:]
    authorize_url = response["Location"]
    assert query(authorize_url)["redirect_uri"] == PUBLIC_CALLBACK
    return authorize_url


def callback(client, location: str):
    assert location.startswith(PUBLIC_CALLBACK + "?"), location
    return client.get(CALLBACK_PATH, query(location))


def connect(client, team, emulator, environment: str = "orgkeeper-demo", **sign_in):
    """The whole wizard for ``environment``; returns the connection and the callback's
    response."""
    connection = start(client, team, emulator.environment_url(environment))
    location = emulator.sign_in(sign_in_url(client, connection), **sign_in)
    return connection, callback(client, location)
