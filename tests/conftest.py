"""Shared fixtures: a team with alice (owner), bob (admin) and victor (viewer); charlie is an
outsider who owns another team; ``rsps``, a ``responses`` mock. ``services`` tests skip
without PostgreSQL and Redis unless REQUIRE_SERVICES=1, which makes them fail instead."""

import os
import socket

import pytest
import responses
from django.test import Client
from hypothesis import settings as hypothesis_settings

from accounts.models import Membership, Team, User
from tests.services import missing_services, services_required

PASSWORD = "correct horse battery staple"

# CI runs the property-based tests with a fixed seed, so a run is reproducible and a new
# failing example shows up in a developer's random runs first.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("services")]
    if not marked:
        return
    missing = missing_services()
    if not missing:
        return
    for item in marked:
        if services_required():
            item.add_marker(pytest.mark.usefixtures("_fail_missing_services"))
        else:
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL and Redis: {missing}"))


@pytest.fixture
def _fail_missing_services():
    pytest.fail(f"REQUIRE_SERVICES=1 but {missing_services()}")


@pytest.fixture(autouse=True)
def _forget_seen_providers():
    """Connection IDs are reused after a test's rollback: the keep-alive's memory of which
    provider an ID had must not carry over."""
    from connections import keepalive

    keepalive._providers_seen.clear()


def make_user(email: str) -> User:
    return User.objects.create_user(email, PASSWORD)


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="Acme Admins")


@pytest.fixture
def other_team(db) -> Team:
    return Team.objects.create(name="Globex Admins")


@pytest.fixture
def alice(team) -> User:
    user = make_user("alice@example.com")
    Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def bob(team) -> User:
    user = make_user("bob@example.com")
    Membership.objects.create(user=user, team=team, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def victor(team) -> User:
    user = make_user("victor@example.com")
    Membership.objects.create(user=user, team=team, role=Membership.Role.VIEWER)
    return user


@pytest.fixture
def charlie(other_team) -> User:
    user = make_user("charlie@example.com")
    Membership.objects.create(user=user, team=other_team, role=Membership.Role.OWNER)
    return user


def signed_in(user: User, client_class: type[Client] = Client, **options) -> Client:
    """A ``client_class(**options)`` logged in as ``user``."""
    client = client_class(**options)
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return signed_in(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return signed_in(bob)


@pytest.fixture
def victor_client(victor) -> Client:
    return signed_in(victor)


@pytest.fixture
def charlie_client(charlie) -> Client:
    return signed_in(charlie)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
