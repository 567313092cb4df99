"""PKCE-required apps answer a generic HTML 500 after Allow when the authorize request had no
code challenge, and the admin never learns why. So every authorize URL Orgkeeper builds
carries an S256 challenge of the flow's own verifier (a property over many flows), and the
code exchange sends both the code_verifier and the client_secret."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections.models import AuthorizationRequest, Connection
from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce.login_hosts import login_url_for
from tests.connections.helpers import (
    CONSUMER_SECRET,
    finish_flow,
    form_body,
    query,
    register_success,
    start_flow,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")

CONSUMER_KEYS = st.from_regex(r"3MVG[A-Za-z0-9._]{16,100}", fullmatch=True)
ENVIRONMENTS = st.sampled_from(
    [
        ("production", ""),
        ("sandbox", ""),
        ("my_domain", "https://acme.my.salesforce.com"),
        ("my_domain", "https://acme--uat.sandbox.my.salesforce.com"),
    ]
)
HOSTS = st.sampled_from(["127.0.0.1:8881", "localhost:8881", "testserver"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    consumer_key=CONSUMER_KEYS,
    environment=ENVIRONMENTS,
    host=HOSTS,
    connected=st.booleans(),
    starts=st.integers(1, 3),
)
def test_every_authorize_url_has_an_s256_challenge_of_its_flow(
    alice_client: Client, connection_factory, consumer_key, environment, host, connected, starts
):
    kind, my_domain_url = environment
    connection = connection_factory(connected=connected, environment=kind)
    Connection.objects.filter(pk=connection.pk).update(
        my_domain_url=my_domain_url, login_url=login_url_for(kind, my_domain_url)
    )
    for _ in range(starts):  # a Back and a second try, or a second tab
        response = alice_client.post(
            url("credentials", connection),
            {"consumer_key": consumer_key, "consumer_secret": "S3cret"},
            HTTP_HOST=host,
        )
        assert response.status_code == 302, response.content[-2000:]
        params = query(response["Location"])
        flow = AuthorizationRequest.objects.get(state=params["state"])
        assert params["code_challenge_method"] == "S256"
        assert params["code_challenge"] == salesforce.code_challenge(flow.code_verifier)
        assert 43 <= len(flow.code_verifier) <= 128
        assert params["client_id"] == consumer_key
    connection.delete()


def test_the_code_exchange_sends_the_verifier_and_the_secret(alice_client, draft, rsps):
    params = start_flow(alice_client, draft)
    flow = AuthorizationRequest.objects.get()
    register_success(rsps)

    finish_flow(alice_client, {"code": "aPrxCode", "state": params["state"]})

    sent = form_body(rsps.calls[0])
    assert sent["code_verifier"] == flow.code_verifier
    assert sent["client_secret"] == CONSUMER_SECRET
    assert salesforce.code_challenge(sent["code_verifier"]) == params["code_challenge"]
