"""A PKCE-required app whose authorize request has no code challenge: Salesforce shows the
sign-in and Allow pages, then a generic HTML 500, and never redirects to the client."""

import pytest
import requests

from tests.emulators.salesforce import SignInFailed
from tests.emulators.salesforce.tests.helpers import (
    authorize_url,
    exchange,
    get_code,
    pkce_pair,
    query,
)


def test_it_answers_a_generic_500_after_allow(salesforce_emulator):
    emu = salesforce_emulator
    url = authorize_url(emu, challenge=None)

    assert requests.get(url, allow_redirects=False, timeout=10).status_code == 200  # sign-in
    with pytest.raises(SignInFailed, match="HTTP 500 after Allow") as failure:
        emu.sign_in_and_allow(url)

    assert "An internal server error has occurred" in str(failure.value)
    assert "error=" not in str(failure.value)  # nothing names the missing challenge
    assert not emu.store.codes


def test_a_denial_still_redirects(salesforce_emulator):
    location = salesforce_emulator.sign_in_and_allow(
        authorize_url(salesforce_emulator, challenge=None), allow=False
    )

    assert query(location)["error"] == "access_denied"


def test_a_challenge_with_s256_passes(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)

    assert exchange(salesforce_emulator, code, verifier).status_code == 200


def test_no_challenge_is_fine_when_pkce_is_optional(salesforce_emulator):
    salesforce_emulator.demo_app.require_pkce = False
    location = salesforce_emulator.sign_in_and_allow(
        authorize_url(salesforce_emulator, challenge=None)
    )

    assert "code" in query(location)


def test_a_challenge_without_s256_is_still_refused_at_once(salesforce_emulator):
    _verifier, challenge = pkce_pair()
    response = requests.get(
        authorize_url(salesforce_emulator, challenge, code_challenge_method=None),
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 302
    assert query(response.headers["Location"])["error"] == "invalid_request"
