"""A form shown again with errors answers 400, like the invite form: new connection (and
its Back), step 2, edit, and team settings. The page still shows the errors."""

import pytest

from tests.connections.helpers import url


def test_new_connection(alice_client, team):
    response = alice_client.post(f"/teams/{team.slug}/connections/new/", {"name": ""})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert b"Set up Salesforce External Client App" in response.content


def test_step_1_of_a_draft(alice_client, draft):
    response = alice_client.post(url("setup", draft), {"name": "", "environment": "production"})
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_step_2(alice_client, draft):
    response = alice_client.post(url("credentials", draft), {"consumer_key": "short"})
    assert response.status_code == 400
    assert b"errorlist" in response.content


@pytest.mark.parametrize("fixture", ["connection", "draft"])
def test_edit(request, alice_client, fixture):
    connection = request.getfixturevalue(fixture)
    response = alice_client.post(url("edit", connection), {"name": ""})
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_team_settings(alice_client, team):
    response = alice_client.post(f"/teams/{team.slug}/settings/", {"name": " "})
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_get_still_answers_200(alice_client, team, connection):
    for page in (f"/teams/{team.slug}/connections/new/", url("edit", connection)):
        assert alice_client.get(page).status_code == 200
    assert alice_client.get(f"/teams/{team.slug}/settings/").status_code == 200
