import pytest
from django.urls import reverse

from accounts.models import Membership, Team, User
from tests.conftest import PASSWORD, make_user

URL = reverse("accounts:setup")
DATA = {
    "email": "Root@Example.com",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "team_name": "Platform Team",
}


def test_it_shows_the_form_on_first_run(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert b"Create the first administrator" in response.content


def test_it_sends_home_to_setup_on_first_run(client, db):
    assert client.get(reverse("home")).url == URL


def test_it_creates_the_superuser_team_and_owner_membership(client, db):
    response = client.post(URL, DATA)
    team = Team.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("connections:list", args=[team.slug])
    user = User.objects.get()
    assert user.email == "root@example.com"
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)
    assert (team.name, team.slug) == ("Platform Team", "platform-team")
    assert Membership.objects.get().role == Membership.Role.OWNER
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"password2": "something else entirely"},
        {"email": "not-an-email"},
        {"email": "r" * 64 + "@" + ("e" * 63 + ".") * 3 + "com"},  # over the 254-char column
        {"team_name": "   "},
        {"password1": "short", "password2": "short"},
    ],
)
def test_it_rejects_invalid_input_and_creates_nothing(client, db, change):
    response = client.post(URL, DATA | change)
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not User.objects.exists()
    assert not Team.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_404s_once_a_user_exists(client, db, method):
    make_user("someone@example.com")
    response = getattr(client, method)(URL, DATA)
    assert response.status_code == 404
    assert User.objects.count() == 1
    assert not Team.objects.exists()
