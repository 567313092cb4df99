"""Failed sign-ins are limited per account and per IP address (django-axes): after
AXES_FAILURE_LIMIT failures that account, or after AXES_IP_FAILURE_LIMIT failures that
address, sees the lockout page (429) until the cool-off has passed, even with the right
password. tests/security/test_it_keeps_colleagues_signing_in.py covers the shared address."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")


def attempt(email: str, password: str, ip: str = "198.51.100.1", path: str = LOGIN):
    return Client(REMOTE_ADDR=ip).post(path, {"username": email, "password": password})


def fail(times: int, email: str, ip: str = "198.51.100.1") -> None:
    """``times`` wrong passwords; the one that reaches the limit already gets the lockout."""
    for n in range(1, times + 1):
        status = attempt(email, "wrong password", ip).status_code
        assert status == (429 if n >= settings.AXES_FAILURE_LIMIT else 200)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 8
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_it_uses_axes_first():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_LOCKOUT_PARAMETERS == [
        ["username"],
        ["username", "ip_address"],
        ["ip_address"],
    ]
    assert settings.AXES_HANDLER == "accounts.signin.SignInLimitsHandler"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_it_locks_an_account_whatever_the_address_and_case(alice):
    for n in range(5):
        email = alice.email.upper() if n % 2 else alice.email
        attempt(email, "wrong", ip=f"198.51.100.{n + 10}")
    locked = attempt(alice.email, PASSWORD, ip="203.0.113.9")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many sign-in attempts" in page
    assert "Sign-in to this account is paused after 5 failed attempts" in page
    assert "in 15 minutes" in page
    assert "css/app.css" in page  # the site's own page, not axes' plain text
    assert "_auth_user_id" not in Client().session


def test_it_locks_an_address_whatever_the_account(alice, bob):
    for n in range(8):
        attempt(f"nobody{n}@example.com", "wrong", ip="198.51.100.7")
    assert attempt(bob.email, PASSWORD, ip="198.51.100.7").status_code == 429
    assert attempt(bob.email, PASSWORD, ip="198.51.100.8").status_code == 302


def test_it_counts_admin_sign_ins_too(alice):
    admin_login = reverse("admin:login")
    for _ in range(5):
        attempt(alice.email, "wrong", path=admin_login)
    assert attempt(alice.email, PASSWORD, ip="203.0.113.9").status_code == 429


def test_it_lets_them_in_after_the_cool_off(alice):
    fail(5, alice.email)
    assert attempt(alice.email, PASSWORD, ip="203.0.113.9").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert attempt(alice.email, PASSWORD, ip="203.0.113.9").status_code == 302


def test_it_forgets_failures_after_a_success(alice):
    fail(4, alice.email)
    assert attempt(alice.email, PASSWORD).status_code == 302
    fail(4, alice.email)
    assert attempt(alice.email, PASSWORD).status_code == 302


def test_it_stores_a_huge_username_without_failing(db):
    huge = "x" * 300 + "@example.com"
    assert attempt(huge, "wrong").status_code == 200


def test_it_counts_the_address_the_proxy_saw(settings, alice):
    """Behind one proxy (production's default), the right-most X-Forwarded-For entry is the
    client; what the client put further left can't dodge the limit."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(8):
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9").post(
            LOGIN, {"username": f"nobody{n}@example.com", "password": "wrong"}
        )
    same = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.10")
    data = {"username": alice.email, "password": PASSWORD}
    assert same.post(LOGIN, data).status_code == 429
    assert other.post(LOGIN, data).status_code == 302
