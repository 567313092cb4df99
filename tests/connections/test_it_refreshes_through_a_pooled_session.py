"""``salesforce.refresh`` posts through one ``requests.Session`` per thread (and per process)
instead of a new ``OAuth2Session`` per call, and sends exactly what requests-oauthlib sends."""

import threading
import urllib.request
from unittest import mock

import pytest
from requests_oauthlib import OAuth2Session

from connections import http
from connections.providers.salesforce import client as salesforce
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    LOGIN_URL,
    REFRESH_TOKEN,
    TOKEN_URL,
    token_body,
)


def test_it_sends_the_same_request_as_requests_oauthlib(rsps):
    rsps.post(TOKEN_URL, json=token_body(refresh_token="RT-rotated"))
    salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
    OAuth2Session(CONSUMER_KEY).refresh_token(
        TOKEN_URL,
        refresh_token=REFRESH_TOKEN,
        client_id=CONSUMER_KEY,
        client_secret=CONSUMER_SECRET,
    )

    ours, library = (call.request for call in rsps.calls)
    assert ours.body == library.body
    assert ours.body == (
        f"grant_type=refresh_token&client_id={CONSUMER_KEY}"
        f"&client_secret={CONSUMER_SECRET}&refresh_token={REFRESH_TOKEN}"
    )
    for header in ("Accept", "Content-Type"):
        assert ours.headers[header] == library.headers[header]
    assert "Authorization" not in ours.headers


def test_it_reuses_one_session_per_thread(rsps):
    rsps.post(TOKEN_URL, json=token_body(refresh_token="RT-rotated"))
    sessions = []
    real = http.pooled_session

    def spy(*args, **kwargs):
        sessions.append(real(*args, **kwargs))
        return sessions[-1]

    with mock.patch.object(http, "pooled_session", spy):
        for _ in range(2):
            salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
        thread = threading.Thread(
            target=salesforce.refresh,
            args=(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN),
        )
        thread.start()
        thread.join()

    assert len(sessions) == 3
    assert sessions[0] is sessions[1]
    assert sessions[2] is not sessions[0]


def test_a_forked_child_gets_its_own_session():
    parent = http.pooled_session()
    with mock.patch.object(http.os, "getpid", return_value=-1):
        child = http.pooled_session()
    assert child is not parent


@pytest.fixture
def no_proxy_env(monkeypatch):
    for name in urllib.request.getproxies_environment():
        for variable in (f"{name}_proxy", f"{name.upper()}_PROXY"):
            monkeypatch.delenv(variable, raising=False)
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_without_a_proxy_it_reads_the_environment_once(no_proxy_env):
    session = http.new_session()
    assert (session.trust_env, session.verify) == (False, True)

    no_proxy_env.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corporate.pem")
    session = http.new_session()
    assert (session.trust_env, session.verify) == (False, "/etc/ssl/corporate.pem")


def test_with_a_proxy_requests_reads_the_environment_per_request(no_proxy_env):
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    no_proxy_env.setenv("NO_PROXY", "login.salesforce.com")
    session = http.new_session()
    assert session.trust_env
    settings = session.merge_environment_settings(
        "https://example.my.salesforce.com/services/oauth2/token", {}, None, None, None
    )
    assert settings["proxies"]["https"] == "http://proxy.internal:3128"
