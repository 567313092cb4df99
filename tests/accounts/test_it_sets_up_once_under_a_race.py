"""First-run setup submitted from several browsers at once makes exactly one administrator.

On PostgreSQL ``SELECT ... FOR UPDATE`` on the empty user table locks nothing, so this needs the
real database (SQLite serializes the writers by itself)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Team, User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
SUBMITS = 4


def test_it_creates_one_administrator_when_setups_race():
    barrier = threading.Barrier(SUBMITS)

    def submit(n: int) -> None:
        data = {"email": f"root{n}@example.com", "password1": PASSWORD, "password2": PASSWORD}
        client = Client(raise_request_exception=False)
        barrier.wait()
        try:
            client.post(reverse("accounts:setup"), data | {"team_name": f"Team {n}"})
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert User.objects.count() == 1
    assert Team.objects.count() == 1
    assert Membership.objects.get().user == User.objects.get()
