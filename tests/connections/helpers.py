"""The helpers of the connection tests: Salesforce's response shapes
(docs/salesforce-protocol.md, "Token responses", signed with the consumer secret as
Salesforce does), a connected Connection with tokens, the wizard driven through Orgkeeper's
views (against ``responses`` or the emulator over real HTTP), and a database that refuses
token writes."""

import base64
import hashlib
import hmac
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import responses
from django.db import OperationalError
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from connections.models import ClientCredentials, Connection, TokenSet

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
PROBE_URL = f"{INSTANCE_URL}/services/data/"  # what Test connection calls
# The REST API's answer to a dead access token.
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
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
    """The form fields of a recorded ``responses`` call."""
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


# --- The keep-alive: a connected connection and refresh answers ----------------------

# Salesforce's error texts (docs/salesforce-protocol.md, "Errors")
ERRORS = {
    "refresh_expired_or_revoked": "expired access/refresh token",
    "refresh_concurrent": "token request is already being processed",
    "ip_restricted": "ip restricted",
    "inactive_user": "inactive user",
    "inactive_org": "inactive organization",
    "authentication_failure": "authentication failure",
    "not_approved": "user hasn't approved this consumer",
}


def refresh_body(
    access_token: str = "00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.ForTestsOnly_2",
    refresh_token: str | None = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA2",
    instance_url: str | None = INSTANCE_URL,
    issued_at: datetime | None = None,
    secret: str = CONSUMER_SECRET,
) -> dict:
    """A 200 from POST /services/oauth2/token (grant_type=refresh_token), signed with
    Base64(HMAC-SHA256(secret, id + issued_at))."""
    issued_at_raw = str(int((issued_at or timezone.now()).timestamp() * 1000))
    body = {
        "access_token": access_token,
        "scope": "refresh_token id api",
        "id": IDENTITY_URL,
        "token_type": "Bearer",
        "issued_at": issued_at_raw,
    }
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    if instance_url is not None:
        body["instance_url"] = instance_url
    digest = hmac.new(secret.encode(), (IDENTITY_URL + issued_at_raw).encode(), hashlib.sha256)
    body["signature"] = base64.b64encode(digest.digest()).decode()
    return body


def add_token_response(rsps: responses.RequestsMock, **kwargs) -> None:
    rsps.post(TOKEN_URL, json=refresh_body(**kwargs))


def add_token_error(rsps: responses.RequestsMock, description: str, error="invalid_grant"):
    rsps.post(TOKEN_URL, status=400, json={"error": error, "error_description": description})


def make_connection(
    team,
    name: str = "Acme production",
    status: str = Connection.Status.CONNECTED,
    last_used: datetime | None = None,
    issued_at: datetime | None = None,
    refresh_token: str = REFRESH_TOKEN,
    access_token: str = ACCESS_TOKEN,
    next_refresh_at: datetime | None = None,
    tokens: bool = True,
    **fields,
) -> Connection:
    """A connection with an External Client App and (unless ``tokens=False``) tokens last
    used ``last_used`` (default 25 hours ago, so due); ``fields`` set or override Connection
    fields (a draft: ``organization_id=""``, ``instance_url=""``)."""
    now = timezone.now()
    last_used = last_used or now - timedelta(hours=25)
    defaults = {"instance_url": INSTANCE_URL, "organization_id": ORG_ID}
    connection = Connection.objects.create(
        team=team,
        name=name,
        status=status,
        next_refresh_at=next_refresh_at,
        **{**defaults, **fields},
    )
    ClientCredentials.objects.create(
        connection=connection, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET
    )
    if tokens:
        TokenSet.objects.create(
            connection=connection,
            access_token=access_token,
            refresh_token=refresh_token,
            instance_url=INSTANCE_URL,
            scope="refresh_token id api",
            issued_at=issued_at or last_used,
            signature_verified=True,
            refresh_token_last_used_at=last_used,
        )
    return connection


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- The wizard against the Salesforce emulator over real HTTP (test settings allow http) ---


def emulator_start(client, team, emulator, consumer_key: str, consumer_secret: str, name: str = ""):
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
    return connection, emulator_authorize(
        client, connection, emulator, consumer_key, consumer_secret
    )


def emulator_authorize(
    client, connection, emulator, consumer_key: str, consumer_secret: str = ""
) -> str:
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


def emulator_callback(client, location: str):
    """Follow the emulator's redirect (``location``) to Orgkeeper's callback."""
    assert location.startswith(PUBLIC_CALLBACK + "?"), location
    return client.get(CALLBACK_PATH, query(location))


def connect_emulator(
    client, team, emulator, app=None, consumer_secret: str | None = None, user=None
):
    """The whole wizard with ``app`` (default the demo app) as ``user`` (default the demo
    user); returns the connection and the callback's response."""
    app = app or emulator.demo_app
    if PUBLIC_CALLBACK not in app.callback_urls:
        app.callback_urls = [*app.callback_urls, PUBLIC_CALLBACK]
    secret = app.consumer_secret if consumer_secret is None else consumer_secret
    connection, authorize_url = emulator_start(client, team, emulator, app.consumer_key, secret)
    user = user or emulator.demo_user
    location = emulator.sign_in_and_allow(authorize_url, user.username, user.password)
    return connection, emulator_callback(client, location)


# --- A database that refuses token writes (a failover, a dropped connection) -----------


def _writes_tokens(sql: str) -> bool:
    return (
        sql.startswith(("UPDATE", "INSERT"))
        and '"connections_tokenset"' in sql
        and '"access_token"' in sql
    )


@contextmanager
def failing_token_writes(times: int):
    """The first ``times`` token writes raise OperationalError. Yields the list of the raw
    database connections each token write was sent on, refused ones included."""
    sent_on = []

    def refuse(execute, sql, params, many, context):
        if _writes_tokens(sql):
            sent_on.append(context["connection"].connection)
            if len(sent_on) <= times:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with db.execute_wrapper(refuse):
        yield sent_on
