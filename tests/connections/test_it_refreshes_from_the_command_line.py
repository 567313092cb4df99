"""manage.py refresh_connections."""

from datetime import timedelta
from io import StringIO

import pytest
import requests
import responses
from django.core.management import CommandError, call_command
from django.utils import timezone

from connections.management.commands import refresh_connections
from connections.models import Connection
from tests.connections.helpers import (
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("refresh_connections", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args) -> tuple[str, CommandError]:
    """Run a command that must fail: its output, and the error manage.py reports on stderr
    before exiting with the error's returncode."""
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("refresh_connections", *args, stdout=out, stderr=StringIO())
    return out.getvalue(), failure.value


@responses.activate
def test_due_refreshes_due_connections_and_prints_one_line_each(team):
    past = timezone.now() - timedelta(minutes=1)
    # Due ones are refreshed oldest first, so production gets the first response.
    make_connection(team, "Acme production", next_refresh_at=past - timedelta(minutes=1))
    make_connection(team, "Acme sandbox", next_refresh_at=past)
    make_connection(team, "Not due", next_refresh_at=timezone.now() + timedelta(hours=3))
    add_token_response(responses)
    add_token_error(responses, "expired access/refresh token")

    out, error = run_failing("--due")

    lines = sorted(out.splitlines())
    assert len(lines) == 2
    assert lines[0].startswith("Acme production: refreshed: Token refreshed (generation 2")
    assert lines[1].startswith(
        "Acme sandbox: failed (needs_reauthorization): Needs re-authorization: Salesforce no longer"
    )
    assert str(error) == "1 of 2 refreshes failed."


@responses.activate
def test_it_exits_1_when_salesforce_is_unreachable(team):
    past = timezone.now() - timedelta(minutes=1)
    make_connection(team, "Acme production", next_refresh_at=past)
    make_connection(team, "Acme sandbox", next_refresh_at=past)
    responses.post(TOKEN_URL, body=requests.ConnectionError("refused"))

    out, error = run_failing("--due")

    lines = sorted(out.splitlines())
    assert [line.split(": ")[:2] for line in lines] == [
        ["Acme production", "failed (transient)"],
        ["Acme sandbox", "failed (transient)"],
    ]
    assert str(error) == "2 of 2 refreshes failed."
    assert error.returncode == 1  # manage.py's exit status


@responses.activate
def test_it_exits_0_when_every_refresh_succeeds(team):
    make_connection(team, "Acme production", next_refresh_at=timezone.now())
    add_token_response(responses)

    out, err = run("--due")

    assert out.startswith("Acme production: refreshed: ")
    assert err == ""


def test_due_with_nothing_due(team):
    assert run("--due")[0] == "No connections due.\n"


@responses.activate
def test_connection_ids_are_refreshed_even_if_not_due(team):
    connection = make_connection(team, "Acme production", last_used=timezone.now())
    add_token_response(responses)

    out, _ = run("--connection", str(connection.pk))

    assert out.startswith("Acme production: refreshed: ")


@responses.activate
def test_a_repeated_id_is_refreshed_once_in_the_order_given(team):
    production = make_connection(team, "Acme production", last_used=timezone.now())
    sandbox = make_connection(team, "Acme sandbox", last_used=timezone.now())
    add_token_response(responses)

    out, _ = run("--connection", *map(str, [sandbox.pk, production.pk, sandbox.pk, sandbox.pk]))

    lines = out.splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        ["Acme sandbox", "refreshed"],
        ["Acme production", "refreshed"],
    ]
    assert len(responses.calls) == 2


def test_skipped_connections_are_not_failures(team):
    connection = make_connection(
        team, "Acme production", status=Connection.Status.DISCONNECTED, tokens=False
    )

    out, err = run("--connection", str(connection.pk))

    assert out.startswith("Acme production: skipped: ")
    assert err == ""


def test_an_unknown_id_is_an_error(team):
    with pytest.raises(CommandError, match="No connection with ID 999"):
        run("--connection", "999")


def test_one_of_the_options_is_required(team):
    with pytest.raises(CommandError):
        run()


@responses.activate
def test_a_connection_is_named_by_its_api_id_or_its_internal_id(team):
    production = make_connection(team, "Acme production", last_used=timezone.now())
    add_token_response(responses)

    out, _ = run("--connection", str(production.code), str(production.pk))

    assert [line.split(": ")[:2] for line in out.splitlines()] == [["Acme production", "refreshed"]]
    assert len(responses.calls) == 1


def test_an_unknown_uuid_is_an_error(team):
    with pytest.raises(CommandError, match="No connection with ID 0f2c"):
        run("--connection", "0f2c")


def test_its_help_names_no_provider():
    assert "Salesforce" not in refresh_connections.Command.help
