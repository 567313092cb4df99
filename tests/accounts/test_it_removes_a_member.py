from django.urls import reverse

from accounts.models import Membership

Role = Membership.Role


def url(membership: Membership) -> str:
    return reverse("accounts:remove_member", args=[membership.team.slug, membership.code])


def test_it_removes_a_member(alice_client, team, victor):
    response = alice_client.post(url(victor.memberships.get(team=team)), follow=True)
    assert response.redirect_chain == [(reverse("accounts:members", args=[team.slug]), 302)]
    assert b"victor@example.com was removed from Acme Admins" in response.content
    assert not team.memberships.filter(user=victor).exists()


def test_it_lets_a_member_leave(victor_client, team, alice, victor):
    response = victor_client.post(url(victor.memberships.get(team=team)))
    assert response.url == reverse("home")
    assert not team.memberships.filter(user=victor).exists()
    assert "team_slug" not in victor_client.session


def test_it_lets_an_owner_leave_when_another_remains(alice_client, team, alice, bob):
    bob.memberships.update(role=Role.OWNER)
    alice_client.post(url(alice.memberships.get(team=team)))
    assert not team.memberships.filter(user=alice).exists()


def test_it_refuses_to_let_the_last_owner_leave(alice_client, team, alice, bob):
    response = alice_client.post(url(alice.memberships.get(team=team)), follow=True)
    assert b"Acme Admins needs an owner" in response.content
    assert team.memberships.get(user=alice).role == Role.OWNER


def test_it_removes_another_owner(alice_client, team, bob):
    bob.memberships.update(role=Role.OWNER)
    alice_client.post(url(bob.memberships.get(team=team)))
    assert not team.memberships.filter(user=bob).exists()


def test_it_forbids_non_owners_to_remove_others(
    bob_client, victor_client, team, alice, bob, victor
):
    assert bob_client.post(url(victor.memberships.get(team=team))).status_code == 403
    assert victor_client.post(url(bob.memberships.get(team=team))).status_code == 403
    assert team.memberships.count() == 3


def test_it_404s_for_another_teams_membership(alice_client, team, charlie):
    theirs = charlie.memberships.get()
    wrong = reverse("accounts:remove_member", args=[team.slug, theirs.code])
    assert alice_client.post(wrong).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()
