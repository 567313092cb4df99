"""/favicon.ico, which browsers ask for on their own, leads to the site's icon (no 404)."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_it_redirects_favicon_ico_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.svg")
