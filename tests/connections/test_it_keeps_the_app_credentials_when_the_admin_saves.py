"""The External Client App admin is read-only: a consumer key changed there would no longer
match the refresh token's app (Salesforce refuses the refresh), and a full save of the row as
read would put back a consumer secret changed on the Edit page in between."""

from unittest import mock

import pytest
from django.urls import reverse

from connections.admin import ClientCredentialsAdmin
from connections.models import ClientCredentials
from tests.connections.helpers import CONSUMER_SECRET

pytestmark = pytest.mark.usefixtures("public_urls")
NEW_SECRET = "NewConsumerSecretFromTheEditPage0123456789"


def test_it_never_writes_back_the_secret_it_read(admin_client, connection):
    """Before the fix, the admin's save stored the secret it had read over the new one (the
    admin's transaction is rolled back on refusal, so the save attempts are what tell)."""
    app = connection.client_credentials
    original = ClientCredentialsAdmin.get_object
    written = []

    def get_object(self, request, object_id, from_field=None):
        obj = original(self, request, object_id, from_field)
        if request.method == "POST":  # the Edit page saves a new secret after the admin read
            ClientCredentials.objects.filter(pk=app.pk).update(consumer_secret=NEW_SECRET)
        return obj

    def save(self, *args, **kwargs):
        written.append(self.consumer_secret)
        return real_save(self, *args, **kwargs)

    real_save = ClientCredentials.save
    with (
        mock.patch.object(ClientCredentialsAdmin, "get_object", get_object),
        mock.patch.object(ClientCredentials, "save", save),
    ):
        response = admin_client.post(
            reverse("admin:connections_clientcredentials_change", args=[app.pk]),
            {"connection": connection.pk, "consumer_key": app.consumer_key},
        )

    assert written == []  # was [CONSUMER_SECRET]: the secret as read, over the new one
    assert response.status_code == 403


def test_it_refuses_a_new_consumer_key(admin_client, connection):
    app = connection.client_credentials
    response = admin_client.post(
        reverse("admin:connections_clientcredentials_change", args=[app.pk]),
        {"connection": connection.pk, "consumer_key": "3MVG9SomeOtherAppEntirely"},
    )

    assert response.status_code == 403
    stored = ClientCredentials.objects.get(pk=app.pk)
    assert (stored.consumer_key, stored.consumer_secret) == (app.consumer_key, CONSUMER_SECRET)


def test_it_still_shows_the_app_page_without_an_add_button(admin_client, connection):
    change = admin_client.get(
        reverse(
            "admin:connections_clientcredentials_change", args=[connection.client_credentials.pk]
        )
    )
    changelist = admin_client.get(reverse("admin:connections_clientcredentials_changelist"))

    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get(reverse("admin:connections_clientcredentials_add")).status_code == 403
    assert "Add external client app" not in changelist.content.decode()


@pytest.mark.parametrize("model", ["clientcredentials", "tokenset"])
def test_it_refuses_to_delete_apps_and_tokens(admin_client, connection, model):
    """Before, the delete view removed the app (the connection became misconfigured) or the
    tokens (without revoking them at Salesforce)."""
    obj = {"clientcredentials": connection.client_credentials, "tokenset": connection.tokens}[model]
    delete_url = reverse(f"admin:connections_{model}_delete", args=[obj.pk])
    changelist_url = reverse(f"admin:connections_{model}_changelist")

    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    admin_client.post(
        changelist_url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    assert type(obj).objects.filter(pk=obj.pk).exists()
