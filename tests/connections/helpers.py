"""Salesforce response shapes (docs/salesforce-protocol.md, "Token responses", with signatures
computed from
the consumer secret like Salesforce does) and helpers that drive the connection wizard."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from django.urls import reverse

from connections.models import Connection

LOGIN_URL = "https://login.salesforce.com"
TOKEN_URL = f"{LOGIN_URL}/services/oauth2/token"
REVOKE_URL = f"{LOGIN_URL}/services/oauth2/revoke"
CALLBACK_PATH = "/api/connections/oauth/callback"
PUBLIC_CALLBACK = "http://127.0.0.1:8881" + CALLBACK_PATH

CONSUMER_KEY = "3MVG9TestConsumerKey.For_Orgkeeper_Tests0001"
CONSUMER_SECRET = "C0NSUMERSECRET7E57D4A1B2C3D4E5F60718293A4B5C6D7E8F9"
ORG_ID = "00D5g000004XmplEAC"
USER_ID = "0055g00000AbCdEAAV"
USERNAME = "integration.admin@acme.example"
IDENTITY_URL = f"{LOGIN_URL}/id/{ORG_ID}/{USER_ID}"
INSTANCE_URL = "https://acme-dev.my.salesforce.com"
ACCESS_TOKEN = "00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.ForTestsOnly_1"
REFRESH_TOKEN = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA1"
OLD_ACCESS_TOKEN = "00D5g000004XmplEAC!AQ0AQOldAccessToken.ForTestsOnly_0"
OLD_REFRESH_TOKEN = "5Aep861OldRefreshTokenForTestsOnly.AAAA0"


def sign(identity_url: str, issued_at: str, secret: str = CONSUMER_SECRET) -> str:
    digest = hmac.new(secret.encode(), (identity_url + issued_at).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def token_body(secret: str = CONSUMER_SECRET, **changes) -> dict:
    """A 200 from POST /services/oauth2/token (grant_type=authorization_code)."""
    body = {
        "access_token": ACCESS_TOKEN,
        "refresh_token": REFRESH_TOKEN,
        "scope": "refresh_token id api",
        "instance_url": INSTANCE_URL,
        "id": IDENTITY_URL,
        "token_type": "Bearer",
        "issued_at": "1764421200123",
        **changes,
    }
    body["signature"] = sign(body["id"], body["issued_at"], secret)
    return body


def identity_body(org_id: str = ORG_ID, user_id: str = USER_ID, username: str = USERNAME):
    """A 200 from GET <identity URL>."""
    return {
        "id": f"{LOGIN_URL}/id/{org_id}/{user_id}",
        "asserted_user": True,
        "user_id": user_id,
        "organization_id": org_id,
        "username": username,
        "nick_name": "integration.admin",
        "display_name": "Integration Admin",
        "email": username,
        "active": True,
        "user_type": "STANDARD",
        "urls": {"rest": f"{INSTANCE_URL}/services/data/v{{version}}/"},
    }


API_VERSIONS = [
    {"label": "Spring '25", "url": "/services/data/v63.0", "version": "63.0"},
    {"label": "Winter '26", "url": "/services/data/v65.0", "version": "65.0"},
]


def oauth_error(error: str, description: str, status: int = 400) -> dict:
    return {"status": status, "json": {"error": error, "error_description": description}}


def register_success(rsps, *, secret=CONSUMER_SECRET, token=None, identity=None) -> None:
    """Register a working token exchange and identity call."""
    token = token or token_body(secret)
    rsps.post(TOKEN_URL, json=token)
    rsps.get(token["id"], json=identity or identity_body())


def query(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


def form_body(call) -> dict:
    return dict(parse_qsl(call.request.body))


def url(name: str, connection: Connection) -> str:
    return reverse(f"connections:{name}", args=[connection.team.slug, connection.code])


def start_flow(client, connection: Connection, secret: str = "", **extra) -> dict:
    """Submit step 2 and return the authorize redirect's query parameters."""
    response = client.post(
        url("credentials", connection),
        {"consumer_key": CONSUMER_KEY, "consumer_secret": secret},
        **extra,
    )
    assert response.status_code == 302, response.content
    return query(response["Location"])


def finish_flow(client, params: dict, **extra):
    """Come back from Salesforce to the callback with ``params``."""
    return client.get(CALLBACK_PATH, params, **extra)


def reauthorize(client, connection: Connection, rsps, capture) -> None:
    """A successful Re-authorize of the same org (the old refresh token revoked), on-commit
    callbacks run through ``capture`` (django_capture_on_commit_callbacks)."""
    params = start_flow(client, connection)
    register_success(rsps)
    rsps.post(REVOKE_URL)
    with capture(execute=True):
        response = finish_flow(client, {"code": "c", "state": params["state"]})
    assert response.status_code == 302


def issued(millis: str) -> datetime:
    return datetime.fromtimestamp(int(millis) / 1000, tz=UTC)


def admin_form_data(page) -> dict:
    """The POST data of an admin change page's form as rendered (``page`` is its GET)."""
    from django.forms import SplitDateTimeWidget

    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, SplitDateTimeWidget):
            day, time = field.widget.decompress(value)
            data[f"{name}_0"] = day.isoformat() if day else ""
            data[f"{name}_1"] = time.strftime("%H:%M:%S.%f") if time else ""
        else:
            data[name] = "" if value is None else value
    return data
