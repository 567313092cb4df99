"""Whatever lengths Salesforce's scope and instance URL have, storing them can't fail between
the token response and the commit (a rotated refresh token would be lost). The column limits
bite on PostgreSQL (CI), not on SQLite."""

import pytest
import responses

from connections import keepalive
from connections.models import TokenSet
from tests.connections.helpers import TOKEN_URL, make_connection, refresh_body

pytestmark = pytest.mark.django_db

NEW_RT = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA2"


@responses.activate
def test_it_keeps_the_rotated_token_with_a_long_scope_and_instance_url(team):
    connection = make_connection(team)
    body = refresh_body(refresh_token=NEW_RT, instance_url="https://" + "a" * 250 + ".example.com")
    body["scope"] = " ".join(f"custom_scope_{n}" for n in range(40))  # ~600 characters
    responses.post(TOKEN_URL, json=body)

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.REFRESHED
    tokens = TokenSet.objects.get(connection=connection)
    assert tokens.refresh_token == NEW_RT
    assert tokens.scope == body["scope"]
    assert tokens.instance_url == body["instance_url"]
