"""Which callback URLs admins register, and which one a flow sends."""

import pytest

from connections.callback_urls import callback_urls, redirect_uri_for

PATH = "/api/connections/oauth/callback"


def test_it_uses_public_base_url_alone_for_an_ip(settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8881"
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    assert callback_urls() == [f"http://127.0.0.1:8881{PATH}"]


def test_it_adds_the_outbound_ip_with_the_same_scheme_and_port(settings):
    settings.PUBLIC_BASE_URL = "https://orgkeeper.example.com:8881"
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    assert callback_urls() == [
        f"https://orgkeeper.example.com:8881{PATH}",
        f"https://203.0.113.7:8881{PATH}",
    ]


def test_it_brackets_an_ipv6_outbound_ip(settings):
    settings.PUBLIC_BASE_URL = "https://orgkeeper.example.com"
    settings.SERVER_OUTBOUND_IP = "2001:db8::7"
    assert callback_urls()[1] == f"https://[2001:db8::7]{PATH}"


def test_it_has_no_ip_callback_without_an_outbound_ip(settings):
    settings.PUBLIC_BASE_URL = "https://orgkeeper.example.com"
    settings.SERVER_OUTBOUND_IP = ""
    assert callback_urls() == [f"https://orgkeeper.example.com{PATH}"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("orgkeeper.example.com", f"https://orgkeeper.example.com{PATH}"),
        ("ORGKEEPER.example.com", f"https://orgkeeper.example.com{PATH}"),
        ("203.0.113.7", f"https://203.0.113.7{PATH}"),
        ("testserver", f"https://orgkeeper.example.com{PATH}"),
        ("203.0.113.7:8443", f"https://orgkeeper.example.com{PATH}"),
    ],
)
def test_it_picks_the_callback_on_the_admins_host(settings, host, expected):
    settings.PUBLIC_BASE_URL = "https://orgkeeper.example.com"
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    assert redirect_uri_for(host) == expected
