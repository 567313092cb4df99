from django.urls import reverse

from accounts.models import Membership

Role = Membership.Role


def url(membership: Membership) -> str:
    return reverse("accounts:change_role", args=[membership.team.slug, membership.code])


def test_it_changes_a_role(alice_client, team, victor):
    membership = victor.memberships.get(team=team)
    response = alice_client.post(url(membership), {"role": "admin"}, follow=True)
    assert response.redirect_chain == [(reverse("accounts:members", args=[team.slug]), 302)]
    assert b"victor@example.com is now Admin" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_it_refuses_to_demote_the_last_owner(alice_client, team, alice, bob):
    membership = alice.memberships.get(team=team)
    response = alice_client.post(url(membership), {"role": "viewer"}, follow=True)
    assert b"Acme Admins needs an owner" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_it_lets_an_owner_step_down_when_another_remains(alice_client, team, alice, bob):
    bob.memberships.update(role=Role.OWNER)
    alice_client.post(url(alice.memberships.get(team=team)), {"role": "admin"})
    assert alice.memberships.get(team=team).role == Role.ADMIN


def test_it_rejects_an_unknown_role(alice_client, team, victor):
    response = alice_client.post(
        url(victor.memberships.get(team=team)), {"role": "god"}, follow=True
    )
    assert b"Choose one of the listed roles." in response.content
    assert victor.memberships.get(team=team).role == Role.VIEWER


def test_it_forbids_non_owners(bob_client, victor_client, team, alice, bob):
    for client in (bob_client, victor_client):
        assert (
            client.post(url(bob.memberships.get(team=team)), {"role": "owner"}).status_code == 403
        )
    assert bob.memberships.get(team=team).role == Role.ADMIN


def test_it_404s_for_another_teams_membership(alice_client, team, charlie):
    theirs = charlie.memberships.get()
    wrong = reverse("accounts:change_role", args=[team.slug, theirs.code])
    assert alice_client.post(wrong, {"role": "viewer"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.OWNER
