"""Accepting an invitation while signed out: sign in first, or create the account."""

from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from accounts.models import Membership, User
from tests.conftest import PASSWORD

SIGNUP = {"name": "Dave Doe", "password1": PASSWORD, "password2": PASSWORD}


def test_it_sends_an_existing_user_to_sign_in(client, team, alice, charlie):
    invitation = team.invite("Charlie@example.com", Membership.Role.VIEWER, alice)
    accept_url = reverse("accounts:accept_invitation", args=[invitation.signed_token()])
    login_url = reverse("accounts:login") + "?" + urlencode({"next": accept_url})
    response = client.get(accept_url)
    assert response.status_code == 200
    assert login_url.encode() in response.content.replace(b"&amp;", b"&")
    assert b'<form method="post" novalidate' not in response.content

    signed_in = client.post(login_url, {"username": charlie.email, "password": PASSWORD})
    assert signed_in.url == accept_url
    assert client.post(accept_url).status_code == 302
    assert charlie.memberships.get(team=team).role == Membership.Role.VIEWER


def test_it_offers_to_create_an_account(client, accept_url):
    response = client.get(accept_url)
    assert response.status_code == 200
    assert b"Create account and join" in response.content
    assert b"dave@example.com" in response.content


def test_it_creates_the_account_joins_and_signs_in(client, accept_url, team, invitation):
    response = client.post(accept_url, SIGNUP)
    assert response.url == reverse("connections:list", args=[team.slug])
    dave = User.objects.get(email="dave@example.com")
    assert dave.name == "Dave Doe"
    assert dave.check_password(PASSWORD)
    assert not dave.is_staff
    assert dave.memberships.get(team=team).role == Membership.Role.ADMIN
    assert client.session["_auth_user_id"] == str(dave.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_it_ignores_an_email_in_the_form(client, accept_url):
    client.post(accept_url, SIGNUP | {"email": "mallory@example.com"})
    assert list(User.objects.values_list("email", flat=True).filter(name="Dave Doe")) == [
        "dave@example.com"
    ]


def test_it_rejects_mismatched_passwords(client, accept_url, invitation):
    response = client.post(accept_url, SIGNUP | {"password2": "something different"})
    assert response.status_code == 200
    assert b"The two passwords don" in response.content
    assert not User.objects.filter(email="dave@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_survives_a_double_submit(client, accept_url, team):
    client.post(accept_url, SIGNUP)
    second = Client().post(accept_url, SIGNUP)
    assert second.status_code == 410
    assert b"already used" in second.content
    assert User.objects.filter(email="dave@example.com").count() == 1
    assert team.memberships.filter(user__email="dave@example.com").count() == 1
