"""Fixtures for the accounts tests: a pending invitation from alice to dave."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Invitation, Membership


@pytest.fixture
def invitation(team, alice) -> Invitation:
    return team.invite("dave@example.com", Membership.Role.ADMIN, alice)


@pytest.fixture
def accept_url(invitation) -> str:
    return reverse("accounts:accept_invitation", args=[invitation.signed_token()])


def link_in(body: str) -> str:
    """The path of the first absolute invitation link in an email body."""
    match = re.search(re.escape(settings.PUBLIC_BASE_URL) + r"(/invitations/\S+/)", body)
    assert match, body
    return match.group(1)
