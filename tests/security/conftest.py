"""Security fixtures: a superuser who belongs to no team, both teams' objects, canary secrets
and recorders for everything a secret could leak into (pages, logs, emails)."""

import logging

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection as db
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Membership, User
from tests.conftest import PASSWORD, signed_in
from tests.connections.conftest import connection, connection_factory, draft, public_urls  # noqa: F401
from tests.monitoring.helpers import json_logs  # noqa: F401

# Each canary carries a marker word that appears nowhere else, so a truncated or re-encoded
# leak is still caught by looking for the marker.
CANARY_CONSUMER_SECRET = "CanaryConsumerSecretQx7F3a9B2c4D5e6F708192"
CANARY_ACCESS_TOKEN = "00D5g000004XmplEAC!AQ0AQCanaryAccessTokenQx5E1d.ForSecurityTests"
CANARY_REFRESH_TOKEN = "5Aep861CanaryRefreshTokenQx9C2b.ForSecurityTests"
CODE_VERIFIER = "CanaryCodeVerifierQx4A8e-" + "a1B2c3D4e5F6g7H8i9J0" * 2
# What a refresh returns (rotation): new canaries of the same kinds.
ROTATED_ACCESS_TOKEN = "00D5g000004XmplEAC!AQ0AQCanaryAccessTokenQx7R0t.Second"
ROTATED_REFRESH_TOKEN = "5Aep861CanaryRefreshTokenQx3R0t.Second"
MARKERS = [
    "CanaryConsumerSecretQx",
    "CanaryAccessTokenQx",
    "CanaryRefreshTokenQx",
    "CanaryCodeVerifierQx",
]
ECHO_OF_EVERYTHING = " ".join(
    [
        CANARY_CONSUMER_SECRET,
        CANARY_ACCESS_TOKEN,
        CANARY_REFRESH_TOKEN,
        CODE_VERIFIER,
        ROTATED_REFRESH_TOKEN,
    ]
)


def leaks(text: str) -> list[str]:
    """The canary markers found in ``text``."""
    return [marker for marker in MARKERS if marker in text]


def assert_no_canary(texts, where: str) -> None:
    for text in texts:
        found = leaks(text)
        assert not found, f"{found} leaked into {where}:\n{text[:3000]}"


class RecordingClient(Client):
    """A test client that keeps every response (redirects followed included)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.responses = []

    def request(self, **request):
        response = super().request(**request)
        self.responses.append(response)
        return response

    def texts(self) -> list[str]:
        out = []
        for response in self.responses:
            headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            cookies = "\n".join(m.OutputString() for m in response.cookies.values())
            body = b"".join(response) if response.streaming else response.content
            out.append(f"{headers}\n{cookies}\n{body.decode(errors='replace')}")
        return out


class LogRecorder(logging.Handler):
    """Everything logged anywhere at DEBUG, formatted with tracebacks."""

    LIBRARIES = ("oauthlib", "requests_oauthlib", "urllib3", "django", "connections", "axes")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs():
    """Root logger and the HTTP/OAuth libraries at DEBUG, whatever LOGGING says."""
    recorder = LogRecorder()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in LogRecorder.LIBRARIES}
    saved_root = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    for name in LogRecorder.LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
        root.setLevel(saved_root)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def canary_verifier(monkeypatch):
    """Every new flow gets CODE_VERIFIER (a valid PKCE verifier) as its code verifier."""
    monkeypatch.setattr("connections.oauth.new_code_verifier", lambda: CODE_VERIFIER)
    return CODE_VERIFIER


def outbox_texts() -> list[str]:
    return [f"{m.subject}\n{m.body}\n{m.alternatives}" for m in mail.outbox]


@pytest.fixture
def root(db) -> User:
    """A superuser (staff) who is a member of no team: the Django admin is their tool."""
    return User.objects.create_superuser("root@example.com", PASSWORD)


@pytest.fixture
def root_client(root) -> Client:
    return signed_in(root)


@pytest.fixture
def alice_recorder(alice) -> RecordingClient:
    """alice's client, keeping every response for the canary checks."""
    return signed_in(alice, RecordingClient)


@pytest.fixture
def root_recorder(root) -> RecordingClient:
    return signed_in(root, RecordingClient)


def membership_of(user, team) -> Membership:
    return Membership.objects.get(user=user, team=team)


def database_texts() -> list[str]:
    """Every row of every table as stored (encrypted columns stay ciphertext), and the
    decoded session data."""
    texts = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            texts.append(f"{table}: {cursor.fetchall()!r}")
    texts += [repr(session.get_decoded()) for session in Session.objects.all()]
    return texts


def model_labels() -> list[str]:
    """``str`` and ``repr`` of every instance of every model."""
    return [
        f"{obj!s} {obj!r}" for model in apps.get_models() for obj in model._default_manager.all()
    ]


def assert_nothing_leaked(client: RecordingClient, logs: LogRecorder) -> None:
    assert_no_canary(client.texts(), "a page")
    assert_no_canary(logs.lines, "the logs")
    assert_no_canary(outbox_texts(), "an email")
    assert_no_canary(database_texts(), "the database")
    assert_no_canary(model_labels(), "a model's str or repr")


# Property-based tests: bounded so the suite stays fast; function-scoped fixtures (the
# database, clients) are shared by the examples of one test, which is what we want here.
BOUNDED = hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def any_text(max_size: int = 300):
    """Any text (NUL bytes, control characters, right-to-left marks, emoji...), and now and
    then a huge one."""
    huge = st.builds(
        lambda char, n: char * n,
        st.characters(exclude_categories=("Cs",)),  # no lone surrogates: not encodable
        st.integers(2_000, 20_000),
    )
    return st.one_of(st.text(max_size=max_size), huge)


def snapshot() -> dict:
    """The rows of every model the forms and the callback could change."""
    from accounts.models import Invitation, Team
    from connections.models import (
        AuthorizationRequest,
        ClientCredentials,
        Connection,
        ConnectionEvent,
        TokenSet,
    )

    models = [User, Team, Membership, Invitation, Connection, ConnectionEvent,
              AuthorizationRequest, ClientCredentials, TokenSet]  # fmt: skip
    return {
        model.__name__: sorted(map(repr, model._default_manager.values_list())) for model in models
    }
