import requests

from tests.emulators.salesforce.tests.helpers import authorize_url, pkce_pair, query


def open_authorize(emu, challenge="auto", **overrides):
    if challenge == "auto":
        challenge = pkce_pair()[1]
    return requests.get(
        authorize_url(emu, challenge, **overrides), allow_redirects=False, timeout=10
    )


def test_it_shows_an_error_page_for_an_unknown_client_id(salesforce_emulator):
    response = open_authorize(salesforce_emulator, client_id="3MVG9NotAnApp")

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "error=invalid_client_id" in response.text
    assert "client identifier invalid" in response.text


def test_it_shows_an_error_page_for_a_redirect_uri_mismatch(salesforce_emulator):
    callback = salesforce_emulator.demo_app.callback_urls[0]
    for wrong in (callback + "/", callback.replace("8881", "8882"), "https://evil.example/cb"):
        response = open_authorize(salesforce_emulator, redirect_uri=wrong)

        assert response.status_code == 400
        assert "Location" not in response.headers
        assert "error=redirect_uri_mismatch" in response.text
        assert "redirect_uri must match configuration" in response.text


def test_it_accepts_every_configured_callback_url(salesforce_emulator):
    for callback in salesforce_emulator.demo_app.callback_urls:
        assert open_authorize(salesforce_emulator, redirect_uri=callback).status_code == 200


def test_it_redirects_an_unsupported_response_type(salesforce_emulator):
    response = open_authorize(salesforce_emulator, response_type="token")

    assert response.status_code == 302
    assert query(response.headers["Location"])["error"] == "unsupported_response_type"
    assert query(response.headers["Location"])["state"] == "state-123"


def test_it_redirects_a_scope_the_app_lacks(salesforce_emulator):
    response = open_authorize(salesforce_emulator, scope="id api full")

    assert response.status_code == 302
    assert query(response.headers["Location"])["error"] == "invalid_scope"


def test_it_treats_offline_access_as_the_refresh_scope(salesforce_emulator):
    response = open_authorize(salesforce_emulator, scope="id api offline_access")

    assert response.status_code == 200


def test_it_requires_s256_when_the_app_requires_pkce(salesforce_emulator):
    response = open_authorize(salesforce_emulator, code_challenge_method="plain")

    assert query(response.headers["Location"])["error"] == "invalid_request"


def test_it_refuses_the_plain_method_even_when_pkce_is_optional(salesforce_emulator):
    # S256 only: "plain" support is UNCONFIRMED (docs/salesforce-protocol.md, "Authorize request and
    # PKCE"), so a client must not
    # get away with it here.
    salesforce_emulator.demo_app.require_pkce = False

    response = open_authorize(salesforce_emulator, code_challenge_method="plain")

    assert query(response.headers["Location"])["error"] == "invalid_request"


def test_it_allows_no_challenge_when_pkce_is_optional(salesforce_emulator):
    salesforce_emulator.demo_app.require_pkce = False

    assert open_authorize(salesforce_emulator, challenge=None).status_code == 200


def test_it_blocks_a_user_of_another_org(salesforce_emulator):
    emu = salesforce_emulator
    other_org = emu.add_org("globex")
    emu.add_user(other_org, "ann@globex.example", "globex-pw")
    _verifier, challenge = pkce_pair()

    location = emu.sign_in_and_allow(
        authorize_url(emu, challenge), username="ann@globex.example", password="globex-pw"
    )

    params = query(location)
    assert params["error"] == "OAUTH_AUTHORIZATION_BLOCKED"
    assert params["error_description"] == (
        "Cross-org OAuth flows are not supported for this external client app"
    )
    assert params["state"] == "state-123"
    assert "code" not in params


def test_it_redirects_access_denied_with_state_on_deny(salesforce_emulator):
    _verifier, challenge = pkce_pair()

    location = salesforce_emulator.sign_in_and_allow(
        authorize_url(salesforce_emulator, challenge), allow=False
    )

    assert location.startswith(salesforce_emulator.demo_app.callback_urls[0] + "?")
    assert (
        "error=access_denied&error_description=end-user+denied+authorization&state=state-123"
        in location
    )


def test_it_rejects_a_stale_pending_authorization(salesforce_emulator):
    response = requests.post(
        salesforce_emulator.base_url + "/login",
        data={"pending": "nope", "username": "x", "password": "y"},
        timeout=10,
    )

    assert response.status_code == 400
