from django.urls import reverse

from accounts.models import Invitation


def url(invitation: Invitation) -> str:
    return reverse("accounts:cancel_invitation", args=[invitation.team.slug, invitation.code])


def test_it_cancels_and_kills_the_link(alice_client, client, team, invitation, accept_url):
    response = alice_client.post(url(invitation), follow=True)
    assert response.redirect_chain == [(reverse("accounts:members", args=[team.slug]), 302)]
    assert b"The invitation of dave@example.com was cancelled." in response.content
    assert not Invitation.objects.exists()
    assert client.get(accept_url).status_code == 404


def test_it_forbids_non_owners(bob_client, invitation):
    assert bob_client.post(url(invitation)).status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_it_404s_for_another_teams_invitation(alice_client, team, other_team, charlie):
    theirs = other_team.invite("dave@example.com", "viewer", charlie)
    wrong = reverse("accounts:cancel_invitation", args=[team.slug, theirs.code])
    assert alice_client.post(wrong).status_code == 404
    assert Invitation.objects.filter(pk=theirs.pk).exists()


def test_it_404s_for_an_accepted_invitation(alice_client, team, alice, victor):
    invitation = team.invite(victor.email, "admin", alice)
    invitation.accept(victor)
    assert alice_client.post(url(invitation)).status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()
