"""Saving a connection in the Django admin writes only the fields the form changed: a refresh
that commits between the page's read and its save keeps its status and schedule."""

from unittest import mock

import pytest
from django.test import Client

from accounts.models import User
from connections.admin import ConnectionAdmin
from connections.models import Connection
from tests.connections.helpers import admin_form_data, make_connection

pytestmark = pytest.mark.django_db


def test_it_keeps_what_a_concurrent_refresh_wrote(team):
    connection = make_connection(team, name="Old name")
    admin_user = User.objects.create_superuser("root@example.com", "x")
    client = Client()
    client.force_login(admin_user)
    read = ConnectionAdmin.get_object

    def read_then_refresh_fails(self, request, object_id, from_field=None):
        obj = read(self, request, object_id, from_field)
        Connection.objects.filter(pk=connection.pk).update(
            status=Connection.Status.NEEDS_REAUTHORIZATION, next_refresh_at=None
        )
        return obj

    page = client.get(f"/admin/connections/connection/{connection.pk}/change/")
    data = admin_form_data(page)
    data["name"] = "New name"
    with mock.patch.object(ConnectionAdmin, "get_object", read_then_refresh_fails):
        response = client.post(f"/admin/connections/connection/{connection.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    connection.refresh_from_db()
    assert connection.name == "New name"
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert connection.next_refresh_at is None
