"""Drive the real connection wizard against the Salesforce emulator over real HTTP: step 1
(My Domain = the emulator's base URL; test settings allow http://), step 2 with an app's
consumer key and secret, sign-in and Allow at the emulator, then Orgkeeper's callback."""

from django.urls import reverse

from connections.models import Connection
from tests.connections.helpers import CALLBACK_PATH, PUBLIC_CALLBACK, query, url


def start(client, team, emulator, consumer_key: str, consumer_secret: str, name: str = ""):
    """Steps 1 and 2 for a new connection; returns it and the authorize URL Orgkeeper sent
    the browser to."""
    client.post(
        reverse("connections:new", args=[team.slug]),
        {
            "name": name or "Emulator org",
            "environment": "my_domain",
            "my_domain_url": emulator.base_url,
        },
    )
    connection = Connection.objects.filter(team=team).latest("pk")
    return connection, authorize(client, connection, emulator, consumer_key, consumer_secret)


def authorize(client, connection, emulator, consumer_key: str, consumer_secret: str = "") -> str:
    """Step 2 (also Re-authorize; an empty secret keeps the stored one): the authorize URL."""
    response = client.post(
        url("credentials", connection),
        {"consumer_key": consumer_key, "consumer_secret": consumer_secret},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{emulator.base_url}/services/oauth2/authorize?")
    assert query(authorize_url)["redirect_uri"] == PUBLIC_CALLBACK
    return authorize_url


def callback(client, location: str):
    """Follow the emulator's redirect (``location``) to Orgkeeper's callback."""
    assert location.startswith(PUBLIC_CALLBACK + "?"), location
    return client.get(CALLBACK_PATH, query(location))


def connect(client, team, emulator, app=None, consumer_secret: str | None = None, user=None):
    """The whole wizard with ``app`` (default the demo app) as ``user`` (default the demo
    user); returns the connection and the callback's response."""
    app = app or emulator.demo_app
    if PUBLIC_CALLBACK not in app.callback_urls:
        app.callback_urls = [*app.callback_urls, PUBLIC_CALLBACK]
    secret = app.consumer_secret if consumer_secret is None else consumer_secret
    connection, authorize_url = start(client, team, emulator, app.consumer_key, secret)
    user = user or emulator.demo_user
    location = emulator.sign_in_and_allow(authorize_url, user.username, user.password)
    return connection, callback(client, location)
