"""A 400/403 answer is logged once, without a traceback for an expected PermissionDenied:
Django's loggers go through the root handler only, and django.request logs errors only
(4xx answers are in the access log already)."""

import logging


def test_django_logs_through_the_root_handler_only():
    django_logger = logging.getLogger("django")
    assert [type(h).__name__ for h in django_logger.handlers] == ["AdminEmailHandler"]
    assert django_logger.propagate


def test_client_errors_are_not_logged_as_warnings():
    assert not logging.getLogger("django.request").isEnabledFor(logging.WARNING)
