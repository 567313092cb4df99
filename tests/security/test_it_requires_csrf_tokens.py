"""CSRF: a POST without the token is refused (403) at every URL, signed in or not (the HTTP API
under /api/v1/ takes no session, so a browser's POST there is refused as keyless), and the
cookies keep SameSite=Lax so the top-level GET back from Salesforce still carries the session."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.security.test_it_isolates_tenants import MATRIX, path_for, world  # noqa: F401


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "owner"])
def test_it_refuses_every_post_without_a_token(world, alice, signed_in):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(alice)
    paths = [path_for(name, world["ours"], world["ours"]) for name in MATRIX]
    paths += [reverse("admin:login"), reverse("admin:index")]
    for path in paths:
        response = client.post(path, {"x": "1"})
        if path.startswith("/api/v1/"):
            # The HTTP API ignores cookies (API keys only), so there is nothing to forge:
            # a signed-in browser gets 401 like anyone without a key (405 where nothing posts,
            # 404 at the catch-all for unknown API paths).
            expected = (404,) if path == reverse("api:not_found") else (401, 405)
            assert response.status_code in expected, path
            continue
        assert response.status_code == 403, path
        assert b"CSRF" in response.content or b"Forbidden" in response.content, path


def test_it_accepts_a_post_with_the_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:login"),
        {"username": alice.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_it_sets_lax_cookies(alice):
    client = Client()
    client.get(reverse("accounts:login"))
    response = client.post(
        reverse("accounts:login"), {"username": alice.email, "password": PASSWORD}
    )
    session = response.cookies["sessionid"]
    assert session["samesite"] == "Lax"
    assert session["httponly"]
    assert client.cookies["csrftoken"]["samesite"] == "Lax"
