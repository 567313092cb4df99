"""The OAuth callback with arbitrary ``state``, ``code``, ``error`` and ``error_description``
(unicode, NUL bytes, huge values): never a 500, always a page that says what happened, and
nothing changes unless the ``state`` is a real flow's."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connections.models import AuthorizationRequest, ConnectionEvent
from tests.connections.helpers import CALLBACK_PATH, start_flow
from tests.security.conftest import BOUNDED, any_text, snapshot

pytestmark = pytest.mark.usefixtures("public_urls")

maybe = st.one_of(st.none(), any_text())


def query(**params) -> dict:
    return {key: value for key, value in params.items() if value is not None}


@BOUNDED
@given(state=maybe, code=maybe, error=maybe, description=maybe)
def test_it_refuses_unknown_states_calmly(alice_client, draft, state, code, error, description):
    start_flow(alice_client, draft)
    before = snapshot()
    params = query(state=state, code=code, error=error, error_description=description)
    response = alice_client.get(CALLBACK_PATH, params)
    # PostgreSQL text can't hold NUL, so such a state can't be a stored one (or be queried).
    if state and "\x00" not in state and AuthorizationRequest.objects.filter(state=state).exists():
        return  # hypothesis found the real state: not this property's business
    assert response.status_code == 400
    assert "This sign-in link is no longer valid" in response.content.decode()
    assert snapshot() == before


@BOUNDED
@given(error=any_text().filter(lambda text: text.strip()), description=maybe)
def test_it_explains_any_error_it_is_sent(alice_client, draft, error, description):
    """A real flow, and whatever ``error`` Salesforce (or someone) puts in the redirect."""
    state = start_flow(alice_client, draft)["state"]
    params = query(state=state, error=error, error_description=description)
    response = alice_client.get(CALLBACK_PATH, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>" in page
    event = ConnectionEvent.objects.filter(connection=draft).first()
    assert event.kind == ConnectionEvent.Kind.AUTHORIZATION_FAILED
    assert "\x00" not in event.message
    assert len(event.message) < 5_000


@BOUNDED
@given(code=any_text().filter(lambda text: text.strip()))
def test_it_sends_any_code_to_salesforce_once(alice_client, draft, rsps, code):
    """Whatever the code, the exchange happens once and its failure is explained."""
    from tests.connections.helpers import TOKEN_URL, oauth_error

    rsps.reset()
    rsps.post(TOKEN_URL, **oauth_error("invalid_grant", "invalid authorization code"))
    state = start_flow(alice_client, draft)["state"]
    response = alice_client.get(CALLBACK_PATH, {"state": state, "code": code})
    assert response.status_code == 400
    assert len(rsps.calls) == 1
