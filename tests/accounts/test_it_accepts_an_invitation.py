"""Accepting an invitation while signed in, and the links that can't be used."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from tests.conftest import make_user, signed_in


def test_it_asks_the_invited_user_to_confirm(accept_url):
    dave_client = signed_in(make_user("dave@example.com"))
    response = dave_client.get(accept_url)
    assert response.status_code == 200
    assert b"Join Acme Admins as admin" in response.content
    assert b"csrfmiddlewaretoken" in response.content
    assert not Membership.objects.filter(user__email="dave@example.com").exists()


def test_it_joins_on_post(accept_url, team, invitation):
    dave = make_user("Dave@example.com")
    response = signed_in(dave).post(accept_url, follow=True)
    assert response.redirect_chain == [(reverse("connections:list", args=[team.slug]), 302)]
    assert b"Welcome to Acme Admins!" in response.content
    assert dave.memberships.get(team=team).role == Membership.Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_it_works_only_once(accept_url, team, invitation):
    dave_client = signed_in(make_user("dave@example.com"))
    dave_client.post(accept_url)
    invitation.refresh_from_db()
    accepted_at = invitation.accepted_at
    for response in (dave_client.post(accept_url), dave_client.get(accept_url)):
        assert response.status_code == 410
        assert b"already used" in response.content
        assert reverse("connections:list", args=[team.slug]).encode() in response.content
    assert Membership.objects.filter(user__email="dave@example.com").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at == accepted_at


def test_it_refuses_a_different_signed_in_user(charlie_client, accept_url, invitation):
    for response in (charlie_client.get(accept_url), charlie_client.post(accept_url)):
        assert response.status_code == 403
        assert b"This invitation is for <strong>dave@example.com</strong>" in response.content
        assert b"Sign out" in response.content
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not invitation.team.memberships.filter(user__email="charlie@example.com").exists()


def test_it_refuses_an_expired_link(accept_url, invitation):
    dave_client = signed_in(make_user("dave@example.com"))
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        for response in (dave_client.get(accept_url), dave_client.post(accept_url)):
            assert response.status_code == 410
            assert b"This invitation has expired" in response.content
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user__email="dave@example.com").exists()


def test_it_still_works_just_before_expiry(accept_url, team):
    dave_client = signed_in(make_user("dave@example.com"))
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert dave_client.post(accept_url).status_code == 302
    assert team.memberships.filter(user__email="dave@example.com").exists()


def test_it_404s_for_a_tampered_link(client, accept_url):
    response = client.get(accept_url[:-3] + "xx/")
    assert response.status_code == 404
    assert b"This invitation is not valid" in response.content


def test_it_404s_for_a_cancelled_invitation(client, accept_url, invitation):
    invitation.delete()
    response = client.get(accept_url)
    assert response.status_code == 404
    assert b"This invitation is not valid" in response.content
