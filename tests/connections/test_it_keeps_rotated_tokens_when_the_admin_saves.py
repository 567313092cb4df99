"""The TokenSet admin must not write tokens back: its save is a full UPDATE of the row it read,
so a refresh that rotated the refresh token in between (the admin's UPDATE waits for the
refresh's row lock on PostgreSQL, then runs) would store the rotated-out token, and presenting
that token makes Salesforce revoke the grant (docs/salesforce-protocol.md, "Refresh token
rotation")."""

from unittest import mock

import pytest
from django.db.models import F
from django.urls import reverse

from connections.admin import TokenSetAdmin
from connections.models import TokenSet

pytestmark = pytest.mark.usefixtures("public_urls")
ROTATED = "5Aep861RotatedRefreshTokenForTests.AAAA9"


def test_it_never_writes_back_the_tokens_it_read(admin_client, connection):
    """Before the fix, a refresh that committed between the admin's read and its save had its
    rotated refresh token replaced by the one the admin read."""
    tokens = connection.tokens
    original = TokenSetAdmin.get_object
    written = []

    def get_object(self, request, object_id, from_field=None):
        obj = original(self, request, object_id, from_field)
        if request.method == "POST":  # a refresh commits after the admin read the row
            TokenSet.objects.filter(pk=tokens.pk).update(
                refresh_token=ROTATED, generation=F("generation") + 1
            )
        return obj

    def save(self, *args, **kwargs):
        written.append(self.refresh_token)
        return real_save(self, *args, **kwargs)

    real_save = TokenSet.save
    with (
        mock.patch.object(TokenSetAdmin, "get_object", get_object),
        mock.patch.object(TokenSet, "save", save),
    ):
        response = admin_client.post(
            reverse("admin:connections_tokenset_change", args=[tokens.pk]), {}
        )

    assert written == []  # was [OLD_REFRESH_TOKEN]: the rotated-out token, stored again
    assert response.status_code == 403


def test_it_still_shows_the_tokens_page(admin_client, connection):
    url = reverse("admin:connections_tokenset_change", args=[connection.tokens.pk])
    assert admin_client.get(url).status_code == 200
