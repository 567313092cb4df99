"""The superuser admin lists webhooks and deliveries and never shows a signing secret."""

import pytest
from django.urls import reverse

from webhooks import tasks
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def test_it_renders_without_the_secret(admin_client, endpoint):
    endpoint, secret = endpoint
    (delivery_id,) = tasks.dispatch()
    tasks.attempt_delivery(delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    pages = [
        reverse("admin:webhooks_endpoint_changelist"),
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_delivery_changelist"),
        reverse("admin:webhooks_delivery_change", args=[delivery.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert secret not in page and secret.removeprefix("whsec_")[:20] not in page
    assert ">set<" in admin_client.get(pages[1]).content.decode()
