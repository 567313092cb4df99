"""Oversized input: a 1 MB field is refused with 400 before any view reads it, and a value
longer than its field allows gets a form error; never a 500, nothing stored."""

import pytest
from django.urls import reverse

from tests.connections.helpers import url
from tests.security.conftest import snapshot

pytestmark = pytest.mark.usefixtures("public_urls")

MEGABYTE = "x" * (1024 * 1024)


@pytest.fixture
def forms(team, draft, alice):
    """POST URL -> its fields."""
    invitation = team.invite("newcomer@example.com", "admin", alice)
    return {
        reverse("connections:new", args=[team.slug]): ["name", "environment", "my_domain_url"],
        url("credentials", draft): ["consumer_key", "consumer_secret"],
        url("edit", draft): ["name", "consumer_key", "consumer_secret"],
        reverse("accounts:team_create"): ["name"],
        reverse("accounts:team_settings", args=[team.slug]): ["name"],
        reverse("accounts:invite", args=[team.slug]): ["email", "role"],
        reverse("accounts:accept_invitation", args=[invitation.signed_token()]): [
            "name",
            "password1",
        ],
        reverse("accounts:login"): ["username", "password"],
        reverse("accounts:password_reset"): ["email"],
    }


def test_it_refuses_a_megabyte_field_with_400(alice_client, client, forms):
    before = snapshot()
    for path, fields in forms.items():
        for field in fields:
            who = client if "invitations" in path or "accounts/" in path else alice_client
            response = who.post(path, {field: MEGABYTE})
            assert response.status_code == 400, (path, field, response.status_code)
            assert "too large or malformed" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("length", [256, 10_000])
def test_it_explains_a_value_too_long(alice_client, team, draft, length):
    before = snapshot()
    long = "a" * length
    pages = [
        (reverse("connections:new", args=[team.slug]), {"name": long, "environment": "production"}),
        (url("credentials", draft), {"consumer_key": "3MVG9" + long, "consumer_secret": long}),
        (reverse("accounts:team_create"), {"name": long}),
        (reverse("accounts:invite", args=[team.slug]), {"email": f"{long}@example.com"}),
    ]
    for path, data in pages:
        response = alice_client.post(path, data)
        assert response.status_code in (200, 400), path
        assert "Ensure this value has at most" in response.content.decode(), path
    assert snapshot() == before
