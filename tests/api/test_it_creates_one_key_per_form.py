"""The API key form is submitted once: POSTs of the same rendered form, even concurrent
ones, create one key (a unique one-time value, not a check-then-set in the session)."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
import requests
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from api.models import APIKey

PARALLEL = 5


def form(submission) -> dict:
    return {"name": "Nightly ETL", "scopes": ["tokens:issue"], "submission": str(submission)}


def test_a_twin_that_committed_first_is_found(alice_client, alice, team):
    """The twin's key was committed between our lookup and our insert (another session,
    worker or thread): the insert fails on the unique value and finds it."""
    submission = uuid.uuid4()
    APIKey.create(team, "Nightly ETL", ["tokens:issue"], created_by=alice, submission=submission)
    real_first, lookups = QuerySet.first, []

    def first_misses_once(queryset):
        if queryset.model is not APIKey:
            return real_first(queryset)
        lookups.append(queryset)
        return None if len(lookups) == 1 else real_first(queryset)

    with mock.patch.object(QuerySet, "first", autospec=True, side_effect=first_misses_once):
        response = alice_client.post(reverse("api:keys", args=[team.slug]), form(submission))
    assert response.status_code == 302
    assert APIKey.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_form_create_one_key(live_server, alice, team):
    client = Client()
    client.force_login(alice)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    url = live_server.url + reverse("api:keys", args=[team.slug])
    page = session.get(url, timeout=30)
    csrf = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    data = {**form(uuid.uuid4()), "csrfmiddlewaretoken": csrf}

    def post(_):
        return session.post(url, data=data, headers={"Referer": url}, timeout=30).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(post, range(PARALLEL)))
    assert set(statuses) <= {200, 302}, statuses
    assert APIKey.objects.count() == 1
