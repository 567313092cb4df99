"""The connection list's "Delete draft" asks for confirmation first, as the connection page
does: it is a link to the confirmation page, never a form that deletes at once."""

import re

from connections.models import Connection, ConnectionEvent
from tests.connections.helpers import url


def test_delete_draft_in_the_list_leads_to_the_confirmation(alice_client, draft):
    draft.record(ConnectionEvent.Kind.CREATED, "Created.")
    listing = alice_client.get(f"/teams/{draft.team.slug}/connections/").content.decode()

    delete_url = url("delete", draft)
    assert f'<a href="{delete_url}">Delete draft</a>' in listing
    assert not re.search(rf'<form[^>]*action="{re.escape(delete_url)}"', listing)

    page = alice_client.get(delete_url)
    assert page.status_code == 200
    assert f"Delete {draft.name}?" in page.content.decode()
    assert Connection.objects.filter(pk=draft.pk).exists()
