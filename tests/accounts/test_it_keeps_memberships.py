import pytest
from django.db import IntegrityError

from accounts.models import LastOwnerError, Membership

Role = Membership.Role


def test_it_allows_one_membership_per_user_and_team(team, alice):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=alice, team=team, role=Role.VIEWER)


def test_it_ranks_roles(team, alice, bob, victor):
    owner, admin, viewer = (u.memberships.get(team=team) for u in (alice, bob, victor))
    assert owner.has_role(Role.OWNER) and owner.has_role(Role.VIEWER)
    assert admin.has_role(Role.ADMIN) and not admin.has_role(Role.OWNER)
    assert viewer.has_role(Role.VIEWER) and not viewer.has_role(Role.ADMIN)


def test_it_refuses_to_demote_the_last_owner(team, alice):
    membership = alice.memberships.get(team=team)
    assert membership.is_last_owner()
    with pytest.raises(LastOwnerError):
        membership.change_role(Role.ADMIN)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_it_refuses_to_remove_the_last_owner(team, alice):
    with pytest.raises(LastOwnerError):
        alice.memberships.get(team=team).remove()
    assert team.memberships.filter(user=alice).exists()


def test_it_demotes_an_owner_when_another_remains(team, alice, bob):
    bob.memberships.update(role=Role.OWNER)
    membership = alice.memberships.get(team=team)
    membership.change_role(Role.VIEWER)
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert bob.memberships.get(team=team).is_last_owner()


def test_it_keeps_promotions_of_the_last_owner_a_no_op(team, alice):
    membership = alice.memberships.get(team=team)
    membership.change_role(Role.OWNER)
    assert membership.role == Role.OWNER
