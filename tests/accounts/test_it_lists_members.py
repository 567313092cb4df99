import re

from django.urls import reverse


def url(team) -> str:
    return reverse("accounts:members", args=[team.slug])


def post_forms(html: str) -> list[str]:
    return re.findall(r'<form method="post".*?</form>', html, flags=re.S)


def test_it_lists_members_and_pending_invitations(victor_client, team, alice, bob, invitation):
    response = victor_client.get(url(team))
    html = response.content.decode()
    assert response.status_code == 200
    for email in ("alice@example.com", "bob@example.com", "victor@example.com"):
        assert email in html
    assert "Owner" in html and "Admin" in html and "Viewer" in html
    assert "dave@example.com" in html
    assert f'datetime="{invitation.expires_at.isoformat()}"' in html


def test_it_shows_owners_the_controls(alice_client, team, bob, victor, invitation):
    html = alice_client.get(url(team)).content.decode()
    assert reverse("accounts:invite", args=[team.slug]) in html
    assert reverse("accounts:change_role", args=[team.slug, victor.memberships.get().code]) in html
    assert reverse("accounts:remove_member", args=[team.slug, bob.memberships.get().code]) in html
    assert reverse("accounts:cancel_invitation", args=[team.slug, invitation.code]) in html
    assert "Leave team" in html


def test_it_shows_non_owners_only_leave(victor_client, team, alice, bob, victor, invitation):
    html = victor_client.get(url(team)).content.decode()
    forms = [f for f in post_forms(html) if "logout" not in f]
    own = reverse("accounts:remove_member", args=[team.slug, victor.memberships.get().code])
    assert len(forms) == 1 and own in forms[0] and "Leave team" in forms[0]
    assert "Invite someone" not in html
    assert "Cancel invitation" not in html


def test_it_puts_a_csrf_token_in_every_post_form(alice_client, team, bob, invitation):
    forms = post_forms(alice_client.get(url(team)).content.decode())
    assert len(forms) > 5
    assert all("csrfmiddlewaretoken" in form for form in forms)


def test_it_hides_accepted_invitations(alice_client, team, invitation, victor):
    invitation.email = victor.email
    invitation.save()
    invitation.accept(victor)
    assert b"Pending invitations" in alice_client.get(url(team)).content
    assert b"No pending invitations." in alice_client.get(url(team)).content
