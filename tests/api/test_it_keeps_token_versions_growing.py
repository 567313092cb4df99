"""token_version only grows: across refreshes and across a re-authorization."""

import pytest
from django.urls import reverse

from tests.api.conftest import bearer
from tests.connections.helpers import INSTANCE_URL, reauthorize

pytestmark = pytest.mark.usefixtures("public_urls")


def version(api, raw, connection) -> int:
    url = reverse("api:access_token", args=[connection.code])
    response = api.post(url, {}, format="json", **bearer(raw))
    assert response.status_code == 200, response.content
    return response.json()["token_version"]


def test_a_reauthorization_continues_the_versions(
    api, make_key, connection, alice_client, rsps, django_capture_on_commit_callbacks
):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=[{"version": "65.0"}])
    _, raw = make_key()
    before = version(api, raw, connection)
    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)
    after = version(api, raw, connection)
    assert after > before
