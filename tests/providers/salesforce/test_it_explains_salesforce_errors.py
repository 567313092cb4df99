"""Salesforce errors become guidance naming the setup step to fix."""

import pytest

from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce.guidance import explain, explain_exception

CALLBACK = "http://127.0.0.1:8881/api/connections/oauth/callback"


@pytest.mark.parametrize(
    ("error", "description", "step", "words"),
    [
        ("invalid_client_id", "client identifier invalid", 7, "up to 10 minutes"),
        ("invalid_client", "invalid client credentials", 7, "Consumer Secret"),
        ("invalid_grant", "invalid code verifier", 4, "PKCE"),
        ("invalid_grant", "ip restricted", 5, "203.0.113.7"),
        ("redirect_uri_mismatch", "redirect_uri must match configuration", 3, CALLBACK),
        ("invalid_grant", "expired authorization code", None, "Start again"),
        ("invalid_scope", "", 3, "refresh_token"),
        ("OAUTH_AUTHORIZATION_BLOCKED", "Cross-org OAuth flows are not supported", 2, "Local"),
        ("access_denied", "end-user denied authorization", None, "Allow"),
        ("access-denied", "", None, "Allow"),
        ("OAUTH_EC_APP_NOT_FOUND", "External client app is not installed in this org", 2, "use "),
        ("app_not_found", "", 2, "or use the org that owns it"),
        (
            "OAUTH_APPROVAL_ERROR_GENERIC",
            "An unexpected error has occurred during authentication. Please try again.",
            None,
            "Approve Uninstalled Connected Apps",
        ),
    ],
)
def test_it_names_the_step_to_fix(settings, error, description, step, words):
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    advice = explain(error, description, redirect_uri=CALLBACK)
    assert advice.step == step
    assert words in advice.message
    assert advice.http_status == 400


def test_it_says_how_to_set_a_missing_outbound_ip(settings):
    settings.SERVER_OUTBOUND_IP = ""
    assert "SERVER_OUTBOUND_IP" in explain("invalid_grant", "ip restricted").message


def test_it_passes_unknown_errors_through_in_salesforces_words():
    advice = explain("invalid_request", "grant type is missing")
    assert advice.detail == "invalid_request: grant type is missing"
    assert advice.step is None


def test_it_explains_a_signature_mismatch():
    advice = explain_exception(salesforce.SignatureMismatch("bad signature"))
    assert (advice.step, advice.http_status) == (7, 400)


def test_it_explains_an_outage_as_try_again():
    advice = explain_exception(salesforce.Unavailable("HTTP 503"))
    assert advice.http_status == 502
    assert "Try again" in advice.message


def test_it_maps_typed_oauth_errors_like_their_codes():
    error = salesforce.InvalidGrant("ip restricted", error="invalid_grant")
    assert explain_exception(error).step == 5


def test_an_app_not_installed_names_the_org_when_known():
    description = "External client app is not installed in this org"
    known = explain("OAUTH_EC_APP_NOT_FOUND", description, org_id="00D8d000000DemoEAC")
    first = explain("OAUTH_EC_APP_NOT_FOUND", description, login_url="https://acme.example")
    assert "Install the External Client App in org 00D8d000000DemoEAC, or use" in known.message
    assert "in the org you signed in to (https://acme.example), or use" in first.message
