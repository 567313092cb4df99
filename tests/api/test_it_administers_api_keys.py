"""The superuser admin lists API keys by identifier, can revoke them, never shows a secret."""

from django.urls import reverse

from api.models import APIKey
from events.models import Event


def test_it_lists_keys_by_identifier_without_the_secret(admin_client, make_key):
    key, raw = make_key()
    page = admin_client.get(reverse("admin:api_apikey_changelist")).content.decode()
    assert key.identifier in page
    assert raw not in page
    assert key.digest not in page
    detail = admin_client.get(reverse("admin:api_apikey_change", args=[key.pk]))
    assert detail.status_code == 200
    assert raw not in detail.content.decode()
    assert key.digest not in detail.content.decode()


def test_the_admin_can_revoke(admin_client, admin_user, make_key):
    key, _ = make_key()
    response = admin_client.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    event = Event.objects.get(kind=Event.Kind.API_KEY_REVOKED)
    assert event.actor == admin_user


def test_keys_are_not_created_or_deleted_in_the_admin(admin_client, make_key):
    key, _ = make_key()
    assert admin_client.get(reverse("admin:api_apikey_add")).status_code == 403
    assert admin_client.post(reverse("admin:api_apikey_delete", args=[key.pk])).status_code == 403
    assert APIKey.objects.filter(pk=key.pk).exists()


def test_the_teams_history_is_read_only(admin_client, make_key):
    make_key()
    event = Event.objects.get()
    assert admin_client.get(reverse("admin:events_event_changelist")).status_code == 200
    delete = admin_client.post(reverse("admin:events_event_delete", args=[event.pk]))
    assert delete.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()
