"""Step 2's Back edits the same draft instead of creating another one, and unfinished
connections show "Continue setup" (and "Delete draft") in the list."""

from connections.models import Connection
from tests.connections.helpers import url


def list_page(client, team) -> str:
    return client.get(f"/teams/{team.slug}/connections/").content.decode()


def test_step_2_offers_back_to_the_same_draft(alice_client, draft):
    page = alice_client.get(url("credentials", draft)).content.decode()
    assert f'<a href="{url("setup", draft)}">Back</a>' in page


def test_step_2_of_a_connected_connection_has_no_back(alice_client, connection):
    page = alice_client.get(url("credentials", connection)).content.decode()
    assert url("setup", connection) not in page


def test_back_then_next_updates_the_draft(alice_client, draft):
    page = alice_client.get(url("setup", draft)).content.decode()
    assert 'value="Acme production"' in page
    assert "Set up Salesforce External Client App" in page

    data = {
        "name": "Acme UAT",
        "environment": "my_domain",
        "my_domain_url": "https://acme--uat.sandbox.my.salesforce.com",
    }
    response = alice_client.post(url("setup", draft), data)

    assert response.status_code == 302
    assert response["Location"] == url("credentials", draft)
    assert Connection.objects.count() == 1
    draft.refresh_from_db()
    assert (draft.name, draft.login_url) == (
        "Acme UAT",
        "https://acme--uat.sandbox.my.salesforce.com",
    )
    assert draft.events.first().kind == "updated"


def test_a_connected_connection_is_sent_to_edit(alice_client, connection):
    response = alice_client.post(url("setup", connection), {"name": "X", "environment": "sandbox"})
    assert response["Location"] == url("edit", connection)
    connection.refresh_from_db()
    assert (connection.name, connection.environment) == ("Acme production", "production")


def test_setup_is_guarded(victor_client, charlie_client, alice_client, draft):
    assert victor_client.get(url("setup", draft)).status_code == 403
    assert charlie_client.get(url("setup", draft)).status_code == 404
    assert alice_client.delete(url("setup", draft)).status_code == 405


def test_the_list_offers_continue_setup_and_delete_for_drafts(alice_client, team, draft):
    page = list_page(alice_client, team)
    assert f'<a href="{url("credentials", draft)}">Continue setup</a>' in page
    assert f'<a href="{url("delete", draft)}">Delete draft</a>' in page


def test_the_list_offers_nothing_for_connected_ones_or_to_viewers(
    alice_client, victor_client, team, connection_factory
):
    connected = connection_factory(name="Connected")
    draft = connection_factory(connected=False, name="Draft")
    assert "Continue setup" not in list_page(victor_client, team)
    page = list_page(alice_client, team)
    assert page.count("Continue setup") == 1
    assert url("credentials", draft) in page and url("credentials", connected) not in page


def test_delete_draft_from_the_list(alice_client, team, draft):
    response = alice_client.post(url("delete", draft), follow=True)
    assert response.redirect_chain[-1][0] == f"/teams/{team.slug}/connections/"
    assert not Connection.objects.exists()
    assert "Deleted Acme production." in response.content.decode()
