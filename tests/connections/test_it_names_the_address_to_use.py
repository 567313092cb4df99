"""Browsing the wizard on another host than PUBLIC_BASE_URL's (localhost for 127.0.0.1) loses
the sign-in after Allow: the wizard pages say which address to use."""

import pytest
from django.urls import reverse

from tests.connections.helpers import url

pytestmark = pytest.mark.usefixtures("public_urls")
MISMATCH = "Open Orgkeeper at"


def test_step_1_on_localhost_names_the_public_address(alice_client, team):
    path = reverse("connections:new", args=[team.slug])
    page = alice_client.get(path, HTTP_HOST="localhost:8881").content.decode()
    assert MISMATCH in page
    assert f'<a href="http://127.0.0.1:8881{path}">http://127.0.0.1:8881{path}</a>' in page
    assert "<code>localhost:8881</code>" in page


@pytest.mark.parametrize("name", ["setup", "credentials"])
def test_the_other_wizard_pages_say_it_too(alice_client, draft, name):
    page = alice_client.get(url(name, draft), HTTP_HOST="localhost:8881").content.decode()
    assert f'{MISMATCH} <a href="http://127.0.0.1:8881{url(name, draft)}"' in page


def test_the_public_address_shows_no_warning(alice_client, draft):
    page = alice_client.get(url("credentials", draft), HTTP_HOST="127.0.0.1:8881")
    assert MISMATCH not in page.content.decode()


def test_the_outbound_ip_callback_host_shows_no_warning(alice_client, draft, settings):
    settings.PUBLIC_BASE_URL = "http://orgkeeper.example:8881"
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    settings.ALLOWED_HOSTS = ["orgkeeper.example", "203.0.113.7"]
    for host in ("orgkeeper.example:8881", "203.0.113.7:8881"):
        page = alice_client.get(url("credentials", draft), HTTP_HOST=host).content.decode()
        assert MISMATCH not in page, host
    page = alice_client.get(url("credentials", draft), HTTP_HOST="203.0.113.7").content.decode()
    assert MISMATCH in page  # no callback on this port: Salesforce would return to the domain
