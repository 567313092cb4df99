"""manage.py refresh_connections."""

from datetime import timedelta
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.connections.keepalive_support import add_token_error, add_token_response, make_connection

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("refresh_connections", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@responses.activate
def test_due_refreshes_due_connections_and_prints_one_line_each(team):
    past = timezone.now() - timedelta(minutes=1)
    # Due ones are refreshed oldest first, so production gets the first response.
    make_connection(team, "Acme production", next_refresh_at=past - timedelta(minutes=1))
    make_connection(team, "Acme sandbox", next_refresh_at=past)
    make_connection(team, "Not due", next_refresh_at=timezone.now() + timedelta(hours=3))
    add_token_response(responses)
    add_token_error(responses, "expired access/refresh token")

    out, err = run("--due")

    lines = sorted(out.splitlines())
    assert len(lines) == 2
    assert lines[0].startswith("Acme production: refreshed: Token refreshed (generation 2")
    assert lines[1].startswith(
        "Acme sandbox: failed (needs_reauthorization): Needs re-authorization: Salesforce no longer"
    )
    assert err == "1 of 2 refreshes failed.\n"


def test_due_with_nothing_due(team):
    assert run("--due")[0] == "No connections due.\n"


@responses.activate
def test_connection_ids_are_refreshed_even_if_not_due(team):
    connection = make_connection(team, "Acme production", last_used=timezone.now())
    add_token_response(responses)

    out, _ = run("--connection", str(connection.pk))

    assert out.startswith("Acme production: refreshed: ")


def test_an_unknown_id_is_an_error(team):
    with pytest.raises(CommandError, match="No connection with ID 999"):
        run("--connection", "999")


def test_one_of_the_options_is_required(team):
    with pytest.raises(CommandError):
        run()
