"""The wizard's two steps, the team forms and the invitation forms with arbitrary input: never
a 500; either the input is accepted as typed (normalised) or the page says what is wrong and
nothing in the database changed."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Invitation, Team
from connections.models import ClientCredentials, Connection
from tests.connections.helpers import url
from tests.security.conftest import BOUNDED, any_text, snapshot

pytestmark = pytest.mark.usefixtures("public_urls")

ENVIRONMENTS = st.one_of(st.sampled_from(["production", "sandbox", "my_domain"]), any_text(20))
ACCEPTED = (302,)


def assert_refused(response, before: dict, status=(200, 400)) -> None:
    assert response.status_code in status, response.status_code
    page = response.content.decode()
    assert 'class="errorlist' in page or 'role="alert"' in page, page[-2000:]
    assert snapshot() == before


@BOUNDED
@given(name=any_text(), environment=ENVIRONMENTS, my_domain_url=any_text())
def test_it_takes_step_one_or_explains(alice_client, team, name, environment, my_domain_url):
    before = snapshot()
    data = {"name": name, "environment": environment, "my_domain_url": my_domain_url}
    response = alice_client.post(reverse("connections:new", args=[team.slug]), data)
    if response.status_code in ACCEPTED:
        connection = Connection.objects.latest("pk")
        assert connection.name == name.strip()
        assert connection.login_url.startswith(("https://", "http://"))
        connection.delete()
        return
    assert_refused(response, before)


@BOUNDED
@given(key=any_text(), secret=any_text())
def test_it_takes_step_two_or_explains(alice_client, draft, key, secret):
    ClientCredentials.objects.filter(connection=draft).delete()
    before = snapshot()
    response = alice_client.post(
        url("credentials", draft), {"consumer_key": key, "consumer_secret": secret}
    )
    if response.status_code in ACCEPTED:
        assert "/services/oauth2/authorize?" in response["Location"]
        return
    assert_refused(response, before)


@BOUNDED
@given(name=any_text())
def test_it_creates_or_renames_a_team_or_explains(alice_client, team, name):
    before = snapshot()
    response = alice_client.post(reverse("accounts:team_create"), {"name": name})
    if response.status_code in ACCEPTED:
        created = Team.objects.latest("pk")
        assert created.name == " ".join(name.split())
        assert created.slug
        created.delete()
    else:
        assert_refused(response, before)
    response = alice_client.post(
        reverse("accounts:team_settings", args=[team.slug]), {"name": name}
    )
    if response.status_code not in ACCEPTED:
        assert_refused(response, before)


@BOUNDED
@given(email=st.one_of(any_text(), st.emails()), role=st.one_of(any_text(20), st.just("admin")))
def test_it_invites_or_explains(alice_client, team, mailoutbox, email, role):
    before = snapshot()
    response = alice_client.post(
        reverse("accounts:invite", args=[team.slug]), {"email": email, "role": role}
    )
    if response.status_code in ACCEPTED:
        invitation = Invitation.objects.latest("pk")
        assert invitation.email == email.strip().lower()
        invitation.delete()
        return
    assert_refused(response, before, status=(400,))


@BOUNDED
@given(name=any_text(), password1=any_text(), password2=any_text())
def test_it_accepts_an_invitation_or_explains(client, team, alice, name, password1, password2):
    invitation = team.invite("newcomer@example.com", "admin", alice)
    before = snapshot()
    link = reverse("accounts:accept_invitation", args=[invitation.signed_token()])
    data = {"name": name, "password1": password1, "password2": password2}
    response = client.post(link, data)
    if response.status_code in ACCEPTED:
        client.logout()
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None
        invitation.team.memberships.filter(user__email="newcomer@example.com").delete()
        Invitation.objects.filter(pk=invitation.pk).delete()
        from accounts.models import User

        User.objects.filter(email="newcomer@example.com").delete()
        return
    assert_refused(response, before)
    invitation.delete()
