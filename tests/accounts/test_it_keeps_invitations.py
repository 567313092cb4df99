from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from accounts.models import Invitation, Membership
from tests.conftest import make_user

Role = Membership.Role


def test_it_renews_a_pending_invitation(team, alice):
    first = team.invite("Dave@Example.com ", Role.VIEWER, alice)
    second = team.invite("dave@example.com", Role.ADMIN, alice)
    assert list(team.invitations.all()) == [second]
    assert second.email == "dave@example.com"
    assert not Invitation.objects.filter(pk=first.pk).exists()


def test_it_resolves_its_signed_token(invitation):
    assert Invitation.from_token(invitation.signed_token()) == invitation


def test_it_expires_after_seven_days(invitation):
    token = invitation.signed_token()
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert invitation.is_expired()
        with pytest.raises(signing.SignatureExpired):
            Invitation.from_token(token)


def test_it_accepts_once(team, invitation):
    dave = make_user("dave@example.com")
    membership = invitation.accept(dave)
    assert membership.role == Role.ADMIN
    assert invitation.accepted_at is not None
    with pytest.raises(ValueError, match="already been used"):
        Invitation.objects.get(pk=invitation.pk).accept(dave)
    assert team.memberships.filter(user=dave).count() == 1


def test_it_keeps_a_higher_existing_role(team, alice, bob):
    invitation = team.invite(bob.email, Role.VIEWER, alice)
    assert invitation.accept(bob).role == Role.ADMIN


def test_it_raises_a_lower_existing_role(team, alice, victor):
    invitation = team.invite(victor.email, Role.ADMIN, alice)
    assert invitation.accept(victor).role == Role.ADMIN
    assert victor.memberships.get(team=team).role == Role.ADMIN
