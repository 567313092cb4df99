import requests

from tests.emulators.entra import DEMO_TENANT_ID, Browser
from tests.emulators.entra.browser import with_query
from tests.emulators.entra.tests.helpers import (
    assert_entra_error,
    assert_redirected_error,
    authorize_url,
    connect,
    exchange,
    pkce_pair,
    query,
    refresh,
)


def sign_in(emu, consent=True, username=None, **overrides):
    verifier, challenge = pkce_pair()
    location = emu.sign_in(authorize_url(emu, challenge, **overrides), username, consent=consent)
    return location, verifier


def test_it_shows_a_consent_page_on_the_first_sign_in(entra_emulator):
    emu = entra_emulator
    browser = Browser()
    _verifier, challenge = pkce_pair()
    page = browser.session.get(authorize_url(emu, challenge), timeout=10)
    pending = page.text.split('name="pending" value="')[1].split('"')[0]

    consent = browser.session.post(
        f"{emu.base_url}/login",
        data={
            "pending": pending,
            "username": emu.demo_user.username,
            "password": "orgkeeper-demo-1",
        },
        allow_redirects=False,
        timeout=10,
    )

    assert consent.status_code == 200
    assert "Permissions requested" in consent.text
    assert "Access Dynamics 365 as organization users" in consent.text


def test_it_reports_a_declined_consent(entra_emulator):
    location, _verifier = sign_in(entra_emulator, consent=False)

    params = assert_redirected_error(location, "access_denied", 65004)
    assert params["error_subcode"] == "cancel"


def test_it_blocks_user_consent_when_the_tenant_does(entra_emulator):
    emu = entra_emulator
    emu.set_user_consent(False)

    location, _verifier = sign_in(emu)

    assert_redirected_error(location, "access_denied", 90094)
    assert emu.demo_app.client_id not in emu.demo_user.consented


def test_it_lets_an_admin_grant_consent_through_the_admin_link(entra_emulator):
    emu = entra_emulator
    emu.set_user_consent(False)
    app = emu.demo_app
    link = with_query(
        f"{emu.authority}/organizations/adminconsent",
        {"client_id": app.client_id, "redirect_uri": app.redirect_uris[0], "state": "admin-1"},
    )

    granted = query(emu.grant_admin_consent(link))
    location, verifier = sign_in(emu, consent=False)  # no consent page any more

    assert granted == {"admin_consent": "True", "tenant": DEMO_TENANT_ID, "state": "admin-1"}
    assert exchange(emu, query(location)["code"], verifier).status_code == 200


def test_it_refuses_admin_consent_from_a_user(entra_emulator):
    emu = entra_emulator
    app = emu.demo_app
    link = with_query(
        emu.admin_consent_url(DEMO_TENANT_ID),
        {"client_id": app.client_id, "redirect_uri": app.redirect_uris[0], "state": "s"},
    )

    location = emu.grant_admin_consent(link, emu.demo_user.username)

    assert_redirected_error(location, "access_denied", 90094, state="s")
    assert not emu.demo_tenant.admin_consented


def test_it_checks_the_admin_consent_link_like_authorize(entra_emulator):
    emu = entra_emulator
    link = with_query(
        emu.admin_consent_url(),
        {"client_id": emu.demo_app.client_id, "redirect_uri": "http://evil.example/cb"},
    )

    response = requests.get(link, allow_redirects=False, timeout=10)

    assert response.status_code == 400
    assert "AADSTS50011" in response.text


def test_it_lets_an_admin_consent_for_the_organization_while_signing_in(entra_emulator):
    emu = entra_emulator
    verifier, challenge = pkce_pair()

    emu.sign_in(authorize_url(emu, challenge), emu.demo_admin.username, for_organization=True)
    location, verifier = sign_in(emu, consent=False)  # the demo user needs no consent now

    assert emu.demo_app.client_id in emu.demo_tenant.admin_consented
    assert exchange(emu, query(location)["code"], verifier).status_code == 200


def test_it_needs_a_session_for_a_silent_request(entra_emulator):
    _verifier, challenge = pkce_pair()

    response = requests.get(
        authorize_url(entra_emulator, challenge, prompt="none"), allow_redirects=False, timeout=10
    )

    assert_redirected_error(response.headers["Location"], "login_required", 50058)


def test_it_answers_consent_required_to_a_silent_request(entra_emulator):
    emu = entra_emulator
    browser = Browser()
    _verifier, challenge = pkce_pair()
    user = emu.demo_user
    browser.open(authorize_url(emu, challenge), user.username, user.password, consent=False)

    location = browser.open(authorize_url(emu, challenge, prompt="none"), "", "")

    assert_redirected_error(location, "consent_required", 65001)


def test_it_signs_in_silently_with_a_session_and_consent(entra_emulator):
    emu = entra_emulator
    browser = Browser()
    user = emu.demo_user
    _verifier, challenge = pkce_pair()
    browser.open(authorize_url(emu, challenge), user.username, user.password)
    verifier, challenge = pkce_pair()

    location = browser.open(authorize_url(emu, challenge, prompt="none"), "", "")

    assert exchange(emu, query(location)["code"], verifier).status_code == 200


def test_it_refuses_a_user_of_another_tenant_on_a_tenant_authority(entra_emulator):
    emu = entra_emulator
    other = emu.add_tenant("elsewhere.onmicrosoft.com")
    emu.add_user("x@elsewhere.onmicrosoft.com", "pw", tenant=other)
    _verifier, challenge = pkce_pair()

    page = requests.Session()
    first = page.get(authorize_url(emu, challenge, tenant=DEMO_TENANT_ID), timeout=10)
    pending = first.text.split('name="pending" value="')[1].split('"')[0]
    answer = page.post(
        f"{emu.base_url}/login",
        data={"pending": pending, "username": "x@elsewhere.onmicrosoft.com", "password": "pw"},
        timeout=10,
    )

    assert "AADSTS50020" in answer.text
    assert 'type="password"' in answer.text


def test_it_refuses_refreshes_once_the_consent_is_removed(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]

    emu.revoke_consent()

    assert_entra_error(refresh(emu, rt), 400, "invalid_grant", 65001)


def test_it_signs_out_of_the_single_sign_on_session(entra_emulator):
    emu = entra_emulator
    browser = Browser()
    user = emu.demo_user
    _verifier, challenge = pkce_pair()
    browser.open(authorize_url(emu, challenge), user.username, user.password)

    browser.session.get(f"{emu.authority}/organizations/oauth2/v2.0/logout", timeout=10)
    location = browser.open(authorize_url(emu, challenge, prompt="none"), "", "")

    assert_redirected_error(location, "login_required", 50058)
