import pytest
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD, signed_in


@pytest.fixture
def root_client(db):
    return signed_in(User.objects.create_superuser("root@example.com", PASSWORD))


@pytest.mark.parametrize("model", ["user", "team", "membership", "invitation"])
def test_it_lists_and_adds(root_client, alice, invitation, model):
    changelist = reverse(f"admin:accounts_{model}_changelist")
    assert root_client.get(changelist).status_code == 200
    assert root_client.get(changelist, {"q": "alice"}).status_code == 200
    assert root_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 200


def test_it_shows_change_pages(root_client, team, alice, invitation):
    objects = {
        "user": alice,
        "team": team,
        "membership": alice.memberships.get(),
        "invitation": invitation,
    }
    for model, obj in objects.items():
        response = root_client.get(reverse(f"admin:accounts_{model}_change", args=[obj.pk]))
        assert response.status_code == 200, model
    assert invitation.signed_token().encode() not in response.content


def test_it_filters_invitations_by_acceptance(root_client, invitation):
    url = reverse("admin:accounts_invitation_changelist")
    assert b"dave@example.com" in root_client.get(url, {"accepted": "no"}).content
    assert b"dave@example.com" not in root_client.get(url, {"accepted": "yes"}).content


def test_it_adds_a_user_by_email(root_client):
    response = root_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.com",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password(PASSWORD)


def test_it_refuses_a_duplicate_email_in_another_case(root_client, alice):
    response = root_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "ALICE@example.com",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


def change_user(root_client, user, email):
    membership = user.memberships.get()
    return root_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": email,
            "name": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-user": user.pk,
            "memberships-0-team": membership.team_id,
            "memberships-0-role": membership.role,
        },
    )


def test_it_refuses_to_change_an_email_to_another_users_in_another_case(root_client, alice, bob):
    # Two accounts differing only in case would make sign-in fail for both
    # (get_by_natural_key matches case-insensitively).
    response = change_user(root_client, bob, "ALICE@example.com")
    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"


def test_it_lowercases_a_changed_email(root_client, bob):
    response = change_user(root_client, bob, "Robert@Example.com")
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.email == "robert@example.com"
