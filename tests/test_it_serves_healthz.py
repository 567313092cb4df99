from unittest import mock

import pytest


@pytest.mark.django_db
def test_it_reports_ok_when_database_and_broker_are_up(client):
    with mock.patch("config.views.broker_ok", return_value=True):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_it_is_down(client):
    with (
        mock.patch("config.views.broker_ok", return_value=True),
        mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OSError),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "down", "broker": "ok"}


@pytest.mark.django_db
def test_it_reports_the_embedded_filesystem_broker_as_up(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok"
