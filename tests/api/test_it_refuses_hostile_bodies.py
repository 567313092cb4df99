"""Deeply nested or oversized JSON bodies get a problem+json 4xx, never a 500 or Django's HTML
page, and log no ERROR."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import bearer

ENDPOINTS = ["api:access_token", "api:access_token_invalid"]


def post(make_key, connection, name, body: str):
    _, raw = make_key()
    client = Client(raise_request_exception=False)
    return client.post(
        reverse(name, args=[connection.code]),
        body,
        content_type="application/json",
        **bearer(raw),
    )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_deep_nesting_is_a_parse_error(make_key, connection, name, caplog):
    with caplog.at_level(logging.WARNING):
        response = post(make_key, connection, name, "[" * 30000 + "]" * 30000)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "parse_error"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_body_over_the_limit_is_payload_too_large(make_key, connection, name, caplog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"min_ttl_seconds": 0, "pad": "' + "x" * 2048 + '"}'
    with caplog.at_level(logging.WARNING):
        response = post(make_key, connection, name, body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
