"""An unexpected exception in a view that handles a secret: the exception itself, the error
email to ADMINS (mail_admins) and Django's full HTML error report (with each frame's local
variables, what DEBUG pages and error trackers show) hold no canary."""

import traceback

import pytest
from django.core import mail
from django.test import Client
from django.views.debug import ExceptionReporter

from accounts.models import User
from connections import oauth
from tests.conftest import signed_in
from tests.connections.helpers import (
    CALLBACK_PATH,
    CONSUMER_KEY,
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
    assert_no_canary,
    outbox_texts,
)

pytestmark = pytest.mark.usefixtures("public_urls", "canary_verifier")


class Boom(Exception):
    pass


def explode(*args, **kwargs):
    raise Boom("unexpected")


@pytest.fixture
def reported(settings):
    settings.ADMINS = [("Ops", "ops@example.com")]


def credentials(connection) -> tuple[str, dict]:
    data = {"consumer_key": CONSUMER_KEY, "consumer_secret": CANARY_CONSUMER_SECRET}
    return url("credentials", connection), data


def html_report(exc: BaseException) -> str:
    """Django's HTML error report, local variables included (SafeExceptionReporterFilter),
    from the test client's frames on (this test's own locals hold the canaries)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return ExceptionReporter(None, type(exc), exc, tb).get_traceback_html()


def exception_texts(exc: BaseException) -> list[str]:
    return ["".join(traceback.format_exception(exc)), repr(exc), repr(exc.__context__)]


@pytest.mark.usefixtures("reported")
def test_it_keeps_the_consumer_secret_out_of_the_error_email(alice, draft, monkeypatch):
    monkeypatch.setattr(oauth, "start", explode)
    path, data = credentials(draft)
    response = signed_in(alice, raise_request_exception=False).post(path, data)
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    assert "Boom" in mail.outbox[0].body
    assert_no_canary(outbox_texts(), "the error email")


@pytest.mark.usefixtures("reported")
def test_it_keeps_passwords_out_of_the_error_email(db, monkeypatch):
    """First-run setup and accepting an invitation carry new passwords."""
    monkeypatch.setattr(User.objects, "create_superuser", explode)
    secret_password = "CanaryConsumerSecretQx-password-1"
    data = {
        "email": "first@example.com",
        "team_name": "Acme",
        "password1": secret_password,
        "password2": secret_password,
    }
    response = Client(raise_request_exception=False).post("/setup/", data)
    assert response.status_code == 500
    assert_no_canary(outbox_texts(), "the error email")


def test_it_keeps_secrets_out_of_a_crash_after_the_token_exchange(alice, draft, rsps, monkeypatch):
    path, data = credentials(draft)
    client = signed_in(alice, raise_request_exception=True)
    state = query(client.post(path, data)["Location"])["state"]
    token = token_body(
        CANARY_CONSUMER_SECRET, access_token=CANARY_ACCESS_TOKEN, refresh_token=CANARY_REFRESH_TOKEN
    )
    register_success(rsps, secret=CANARY_CONSUMER_SECRET, token=token)
    monkeypatch.setattr("connections.oauth._store", explode)
    with pytest.raises(Boom) as caught:
        client.get(CALLBACK_PATH, {"code": "aPrx.Code", "state": state})
    assert_no_canary(exception_texts(caught.value), "the exception")
    assert_no_canary([html_report(caught.value)], "the HTML error report")


def test_it_keeps_secrets_out_of_a_crash_inside_the_http_call(alice, connection, rsps):
    """A bug below the token request (here: in the HTTP library) shows the frames of the
    Salesforce client, whose arguments are the secrets."""
    rsps.post(TOKEN_URL, body=Boom("in the HTTP library"))
    app = connection.client_credentials
    app.consumer_secret = CANARY_CONSUMER_SECRET
    app.save()
    client = signed_in(alice, raise_request_exception=True)
    with pytest.raises(Boom) as caught:
        client.post(url("refresh", connection))
    assert_no_canary(exception_texts(caught.value), "the exception")
    assert_no_canary([html_report(caught.value)], "the HTML error report")
