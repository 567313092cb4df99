"""Behind one shared address, one person's wrong passwords lock only their own account (per
account and per (account, address) pair, AXES_FAILURE_LIMIT); the address as a whole is
locked only after AXES_IP_FAILURE_LIMIT failures (password spraying). The lockout page says
when sign-in opens again."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import PASSWORD
from tests.security.test_it_rate_limits_sign_in import attempt

OFFICE = "198.51.100.20"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 12
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def fail_at(when: datetime, email: str, times: int, ip: str = OFFICE) -> None:
    with time_machine.travel(when, tick=False):
        for _ in range(times):
            attempt(email, "wrong password", ip)


def sign_in_at(when: datetime, email: str, ip: str = OFFICE):
    with time_machine.travel(when, tick=False):
        return attempt(email, PASSWORD, ip)


def test_typos_lock_only_their_own_account(alice, bob):
    fail_at(START, alice.email, 5)
    assert sign_in_at(START, bob.email).status_code == 302  # a colleague, same address
    # ... whose sign-in doesn't unlock the account either
    assert sign_in_at(START, alice.email).status_code == 429


def test_spraying_locks_the_address_for_everyone(alice, bob):
    for n in range(11):
        fail_at(START, f"user{n}@example.com", 1)
    assert sign_in_at(START, bob.email).status_code == 302  # 11 of 12: still open
    fail_at(START, "user11@example.com", 1)
    locked = sign_in_at(START, alice.email)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "from your network's address is paused for every account" in page
    assert "after 12 failed attempts" in page
    assert sign_in_at(START, alice.email, ip="203.0.113.5").status_code == 302


def test_a_success_doesnt_reset_the_addresss_count(alice, bob):
    for n in range(11):
        fail_at(START, f"user{n}@example.com", 1)
    assert sign_in_at(START, bob.email).status_code == 302
    fail_at(START, "user11@example.com", 1)
    assert sign_in_at(START, alice.email).status_code == 429


def test_the_page_says_when_sign_in_opens_again(alice):
    fail_at(START, alice.email, 5)
    later = START + timedelta(minutes=5)
    page = sign_in_at(later, alice.email).content.decode()
    assert "It opens again at 09:15 UTC, in 10 minutes." in page
    # Refused attempts during the lockout don't move that time.
    assert "It opens again at 09:15 UTC" in sign_in_at(later, alice.email).content.decode()
    assert sign_in_at(START + timedelta(minutes=15, seconds=1), alice.email).status_code == 302


def test_it_opens_when_enough_of_the_oldest_failures_expire(alice):
    """Failures expire per address at their last one + the cool-off: 3 at 9:00 from one
    address and 2 at 9:05 from another leave 2 (under 5) once the first three expire."""
    fail_at(START, alice.email, 3)
    fail_at(START + timedelta(minutes=5), alice.email, 2, ip="203.0.113.7")
    page = sign_in_at(START + timedelta(minutes=6), alice.email).content.decode()
    assert "It opens again at 09:15 UTC, in 9 minutes." in page
    assert sign_in_at(START + timedelta(minutes=15, seconds=1), alice.email).status_code == 302
