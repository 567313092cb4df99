"""Entra's answer to the admin consent link comes to the callback in the browser of a tenant
administrator who may have no Orgkeeper account: its page needs no login, and nothing else on
the callback becomes reachable without one."""

import pytest

from tests.connections.helpers import CALLBACK_PATH

pytestmark = pytest.mark.django_db


def test_it_confirms_granted_consent_without_a_login(client):
    response = client.get(CALLBACK_PATH, {"admin_consent": "True", "tenant": "0f2c-tenant"})
    assert response.status_code == 200
    assert "Consent granted for your organization." in response.content.decode()


def test_it_shows_refused_consent_without_a_login(client):
    response = client.get(
        CALLBACK_PATH,
        {
            "admin_consent": "False",
            "error": "access_denied",
            "error_description": "AADSTS65004: User declined to consent to access the app.",
        },
    )
    assert response.status_code == 400
    assert "Consent was not granted." in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"code": "a-code", "state": "a-state"},
        {"error": "access_denied", "state": "a-state"},
        {"admin_consent": "True", "tenant": "0f2c-tenant", "state": "a-state"},
        {},
    ],
)
def test_every_other_callback_still_needs_a_login(client, params):
    response = client.get(CALLBACK_PATH, params)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_post_of_the_consent_answer_still_needs_a_login(client):
    response = client.post(f"{CALLBACK_PATH}?admin_consent=True&tenant=0f2c-tenant")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
