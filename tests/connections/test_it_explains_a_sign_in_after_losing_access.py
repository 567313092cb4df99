"""Someone removed from the team (or demoted) while signing in to Salesforce gets the
"sign-in link is no longer valid" page, and the flow is left unused."""

import pytest

from accounts.models import Membership
from connections.models import AuthorizationRequest, TokenSet
from tests.connections.helpers import finish_flow, start_flow

pytestmark = pytest.mark.usefixtures("public_urls")

INVALID = "This sign-in link is no longer valid — start again."


@pytest.mark.parametrize(
    ("lose_access", "status"),
    [
        (lambda user: Membership.objects.filter(user=user).delete(), 404),
        (lambda user: Membership.objects.filter(user=user).update(role="viewer"), 403),
    ],
    ids=["removed", "demoted"],
)
def test_it_shows_the_invalid_link_page(bob_client, bob, draft, rsps, lose_access, status):
    params = start_flow(bob_client, draft)
    lose_access(bob)

    response = finish_flow(bob_client, {"code": "c", "state": params["state"]})

    assert response.status_code == status
    page = response.content.decode()
    assert INVALID in page
    assert "may no longer manage connections of this team" in page
    assert "No such team." not in page
    assert draft.get_absolute_url() not in page  # no link to a connection they can't see
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is None
    assert not TokenSet.objects.exists()
