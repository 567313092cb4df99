"""The OpenAPI schema validates, and the docs page works without a CDN under the site's CSP."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

STATIC = "/" + settings.STATIC_URL.lstrip("/")


def test_the_schema_validates_without_warnings(tmp_path, db):
    # --fail-on-warn raises on any warning; --validate checks it against the OpenAPI 3 schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    text = (tmp_path / "s.yaml").read_text()
    for path in (
        "/api/v1/connections/",
        "/api/v1/connections/{id}/",
        "/api/v1/connections/{id}/access-token",
        "/api/v1/connections/{id}/access-token/invalid",
        "/api/v1/connections/{id}/test",
    ):
        assert f"  {path}:" in text
    assert "bearerFormat: okk_…" in text
    assert "RequestRequest" not in text  # no doubled suffix on request bodies
    assert "    AccessTokenRequest:" in text and "    InvalidTokenRequest:" in text
    assert "refresh_token:" not in text
    assert "consumer_secret" not in text


def test_the_schema_is_served(db):
    response = Client().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Orgkeeper API"


def test_the_docs_load_everything_from_this_server(db):
    client = Client()
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script>\s*\S", html), "no inline script"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/"), source
        if source.startswith(STATIC):
            assert finders.find(source.removeprefix(STATIC)), source
        else:
            script = client.get(source.replace("&amp;", "&"))
            assert script.status_code == 200, source
            assert script["Content-Type"] == "application/javascript"
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp


def test_every_problem_type_links_to_its_row_on_the_docs_page(db, api):
    html = Client().get(reverse("api:docs")).content.decode()
    problem = api.get(reverse("api:connections")).json()  # no key: 401 unauthenticated

    docs, anchor = problem["type"].split("#")
    assert docs == settings.PUBLIC_BASE_URL + reverse("api:docs")
    assert f'id="{anchor}"' in html
    codes = re.findall(r'<tr id="problem-([a-z_]+)">', html)
    for code in (
        "unauthenticated", "insufficient_scope", "connection_not_found", "not_connected",
        "needs_reauthorization", "misconfigured", "salesforce_unavailable",
        "refresh_in_progress", "rate_limited", "invalid_path", "method_not_allowed",
        "length_required", "validation_error", "server_error",
    ):  # fmt: skip
        assert code in codes
    assert len(codes) == len(set(codes))


def test_the_schema_lists_every_providers_environments(db):
    response = Client().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schemas = response.json()["components"]["schemas"]
    assert schemas["Connection"]["properties"]["environment"] == {
        "allOf": [{"$ref": "#/components/schemas/EnvironmentEnum"}],
        "readOnly": True,
    }
    assert schemas["EnvironmentEnum"]["enum"] == ["dataverse", "my_domain", "production", "sandbox"]
