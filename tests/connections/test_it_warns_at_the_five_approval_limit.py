"""After a sign-in (or keeping a second connection of the same user), a warning when the
team's connections hold five or more refresh tokens of the same Salesforce user through the same
External Client App: Salesforce keeps five per user and app and revokes the oldest for the next
approval (docs/salesforce-protocol.md, "Access-token lifetime")."""

import pytest
from django.contrib.messages import get_messages

from connections.models import Connection
from tests.connections.helpers import (
    CONSUMER_SECRET,
    REVOKE_URL,
    USERNAME,
    finish_flow,
    register_success,
    start_flow,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")


def connect_a_draft(alice_client, connection_factory, rsps) -> list:
    draft = connection_factory(connected=False, name="Newest")
    params = start_flow(alice_client, draft, secret=CONSUMER_SECRET)
    register_success(rsps)
    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 302
    if Connection.objects.get(pk=draft.pk).awaits_choice:  # the same user and app: keep both
        response = alice_client.post(url("keep_both", draft))
    assert Connection.objects.get(pk=draft.pk).status == Connection.Status.CONNECTED
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def warnings(shown: list) -> list[str]:
    return [message for level, message in shown if level == "warning"]


def test_no_warning_below_five(alice_client, connection_factory, rsps):
    for n in range(3):
        connection_factory(name=f"Org {n}")

    assert warnings(connect_a_draft(alice_client, connection_factory, rsps)) == []


def test_the_fifth_warns_that_the_next_sign_in_revokes_the_oldest(
    alice_client, connection_factory, rsps
):
    for n in range(4):
        connection_factory(name=f"Org {n}")

    assert warnings(connect_a_draft(alice_client, connection_factory, rsps)) == [
        f"5 connections of this team hold refresh tokens for {USERNAME} through this External "
        "Client App, and Salesforce keeps at most 5 per user and app: the next sign-in with "
        "them revokes the oldest one."
    ]


def test_the_sixth_names_the_connections_that_may_have_lost_their_token(
    alice_client, connection_factory, rsps
):
    for n in range(5):
        connection_factory(name=f"Org {n}")

    (warning,) = warnings(connect_a_draft(alice_client, connection_factory, rsps))
    assert warning.startswith(f"6 connections of this team hold refresh tokens for {USERNAME}")
    assert (
        "This sign-in was approval 6, so Salesforce revoked the 1 oldest: a token of Org 0, "
        "Org 1, Org 2, Org 3, Org 4. The keep-alive marks" in warning
    )
    assert "Newest" not in warning


def test_other_users_apps_teams_and_tokenless_connections_dont_count(
    alice_client, connection_factory, rsps, charlie
):
    connection_factory(name="Other user", user_id="0055g00000OtherUAV")
    connection_factory(name="No tokens", connected=False, user_id="0055g00000AbCdEAAV")
    other_app = connection_factory(name="Other app")
    other_app.client_credentials.consumer_key = "3MVG9AnotherExternalClientApp"
    other_app.client_credentials.save()
    other_team = connection_factory(name="Other team")
    other_team.team = charlie.memberships.get().team
    other_team.save()
    for n in range(3):  # with the new one, 4: any one of the above counted would make 5
        connection_factory(name=f"Counted {n}")

    assert warnings(connect_a_draft(alice_client, connection_factory, rsps)) == []


@pytest.fixture
def reauthorize_the_first(
    alice_client, connection_factory, rsps, django_capture_on_commit_callbacks
):
    """Connect ``count`` connections, re-authorize the first (its old token is revoked after
    commit) and return the warnings shown."""

    def run(count: int) -> list[str]:
        connections = [connection_factory(name=f"Org {n}") for n in range(count)]
        params = start_flow(alice_client, connections[0], secret=CONSUMER_SECRET)
        register_success(rsps)
        rsps.post(REVOKE_URL)
        with django_capture_on_commit_callbacks(execute=True):
            response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
        assert response.status_code == 302
        return warnings([(m.level_tag, m.message) for m in get_messages(response.wsgi_request)])

    return run


def test_re_authorizing_one_of_five_says_the_oldest_was_revoked(reauthorize_the_first):
    """Before, the replaced approval wasn't counted: five tokens after the re-authorization
    read as "the next sign-in revokes the oldest", though this one was the sixth approval."""
    (warning,) = reauthorize_the_first(5)

    assert warning.startswith(f"5 connections of this team hold refresh tokens for {USERNAME}")
    assert (
        "This sign-in was approval 6, so Salesforce revoked the 1 oldest: a token of Org 1, "
        "Org 2, Org 3, Org 4 or the token this sign-in replaced." in warning
    )


def test_re_authorizing_one_of_four_doesnt_warn(reauthorize_the_first):
    assert reauthorize_the_first(4) == []
