from unittest.mock import patch

from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Membership
from tests.accounts.conftest import link_in


def url(team) -> str:
    return reverse("accounts:invite", args=[team.slug])


def test_it_emails_a_working_link(alice_client, client, team, alice):
    response = alice_client.post(url(team), {"email": "Dave@Example.com", "role": "viewer"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:members", args=[team.slug])
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "dave@example.com",
        Membership.Role.VIEWER,
        alice,
    )
    [email] = mail.outbox
    assert email.to == ["dave@example.com"]
    assert "Acme Admins" in email.subject
    assert "expires" in email.body
    page = client.get(link_in(email.body))
    assert page.status_code == 200
    assert b"Join Acme Admins as viewer" in page.content


def test_it_confirms_with_a_message(alice_client, team):
    response = alice_client.post(
        url(team), {"email": "dave@example.com", "role": "admin"}, follow=True
    )
    assert b"Invitation sent to dave@example.com" in response.content


def test_it_renews_a_pending_invitation(alice_client, client, team):
    alice_client.post(url(team), {"email": "dave@example.com", "role": "admin"})
    alice_client.post(url(team), {"email": "dave@example.com", "role": "viewer"})
    assert Invitation.objects.get().role == Membership.Role.VIEWER
    first, second = (link_in(m.body) for m in mail.outbox)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_it_rerenders_the_page_for_a_bad_email(alice_client, team):
    response = alice_client.post(url(team), {"email": "dave@", "role": "admin"})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_it_rejects_an_email_longer_than_the_column(alice_client, team):
    # Valid by the form's 320-char default, too long for the 254-char column (PostgreSQL: 500).
    email = "d" * 64 + "@" + ("e" * 63 + ".") * 3 + "com"
    response = alice_client.post(url(team), {"email": email, "role": "admin"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_it_rejects_an_unknown_role(alice_client, team):
    response = alice_client.post(url(team), {"email": "dave@example.com", "role": "god"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_it_rejects_an_existing_member(alice_client, team, bob):
    response = alice_client.post(url(team), {"email": "BOB@example.com", "role": "viewer"})
    assert response.status_code == 400
    assert b"already a member" in response.content
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_it_reports_a_mail_failure_and_keeps_nothing(alice_client, team):
    with patch("accounts.team_views.send_mail", side_effect=OSError("SMTP down")):
        response = alice_client.post(
            url(team), {"email": "dave@example.com", "role": "admin"}, follow=True
        )
    assert b"Couldn&#x27;t send the email to dave@example.com" in response.content
    assert not Invitation.objects.exists()


def test_it_forbids_admins(bob_client, team):
    response = bob_client.post(url(team), {"email": "dave@example.com", "role": "owner"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert not mail.outbox
