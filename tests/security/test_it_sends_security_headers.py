"""Every page carries the security headers and the Content-Security-Policy (django-csp)."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from config.settings.security import content_security_policy

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict:
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()
    }


@pytest.mark.parametrize("page", ["accounts:login", "accounts:password_reset", "healthz"])
def test_it_sends_the_headers_to_everyone(client, db, page):
    response = client.get(reverse(page))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = directives(response["Content-Security-Policy"])
    assert policy.items() >= POLICY.items()


def test_it_sends_them_on_team_pages_and_errors(alice_client, team):
    for path in [reverse("connections:list", args=[team.slug]), "/teams/nope/connections/"]:
        response = alice_client.get(path)
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert response["X-Frame-Options"] == "DENY"


def test_it_lets_connect_redirect_to_salesforce(client, db):
    """form-action: the Connect POST redirects to Salesforce's authorize URL and Chromium
    checks that redirect against form-action (tests/browser: the CSP test)."""
    form_action = directives(client.get(reverse("accounts:login"))["Content-Security-Policy"])
    assert form_action["form-action"].split() == ["'self'", "https:", "http:"]  # test: emulator


def test_it_allows_plain_http_only_with_insecure_login_hosts():
    secure = content_security_policy(allow_insecure_login_hosts=False)["DIRECTIVES"]
    assert secure["form-action"] == ["'self'", "https:"]
    with override_settings(ALLOW_INSECURE_LOGIN_HOSTS=True):
        insecure = content_security_policy(True)["DIRECTIVES"]
    assert "http:" in insecure["form-action"]


def test_it_serves_no_inline_script_or_style(alice_client, team, draft):
    from tests.connections.helpers import url

    pages = [
        reverse("connections:list", args=[team.slug]),
        reverse("connections:new", args=[team.slug]),
        url("credentials", draft),
        url("detail", draft),
        reverse("accounts:members", args=[team.slug]),
    ]
    for path in pages:
        page = alice_client.get(path).content.decode()
        assert "<script>" not in page and " style=" not in page and "<style" not in page, path
        assert not re.search(r"\son[a-z]+=", page), path  # no inline event handlers
