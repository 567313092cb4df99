"""Every API error is application/problem+json (RFC 9457), including the ones Django raises
before a view runs; the rest of the site keeps its pages."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import bearer


def test_an_unknown_api_path_is_a_problem(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["title"], body["instance"]) == (
        "not_found",
        "Not found",
        "/api/v1/nothing-here",
    )
    assert body["type"].endswith("#problem-not_found")


def test_other_pages_keep_the_sites_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_problem(api, make_key, connection):
    _, raw = make_key()
    response = api.get(reverse("api:access_token", args=[connection.code]), **bearer(raw))
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"


def test_a_crash_is_a_problem(api, make_key, connection, monkeypatch):
    from api import views

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.keepalive, "issue_access_token", crash)
    _, raw = make_key()
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("api:access_token", args=[connection.code]),
        "{}",
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


@pytest.mark.parametrize("accept", ["text/html", "application/xml"])
def test_it_answers_406_to_clients_that_refuse_json(api, make_key, connection, accept):
    _, raw = make_key()
    response = api.get(reverse("api:connections"), HTTP_ACCEPT=accept, **bearer(raw))
    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_acceptable"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/nope/", "/api/v1/connections/x/y/z"])
def test_unknown_api_paths_are_problems_with_debug_on_or_off(db, settings, debug, method, path):
    settings.DEBUG = debug
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("debug", [False, True])
def test_a_trailing_slash_on_an_endpoint_is_a_problem(api, make_key, connection, settings, debug):
    settings.DEBUG = debug
    _, raw = make_key()
    url = reverse("api:access_token", args=[connection.code]) + "/"
    response = api.post(url, {}, format="json", **bearer(raw))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
