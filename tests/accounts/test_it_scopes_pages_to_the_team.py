"""Every team page in accounts.urls goes through get_team_for_user: members with the minimum
role get in, lower roles get 403, outsiders 404, anonymous users are sent to sign in."""

import pytest
from django.urls import URLPattern, reverse

from accounts import urls
from accounts.models import Membership

Role = Membership.Role

# URL name -> (minimum role, POST only)
TEAM_PAGES = {
    "team_settings": (Role.OWNER, False),
    "members": (Role.VIEWER, False),
    "invite": (Role.OWNER, True),
    "change_role": (Role.OWNER, True),
    "remove_member": (Role.OWNER, True),  # anyone may remove themselves: see test_remove_member
    "cancel_invitation": (Role.OWNER, True),
}
CLIENTS = {Role.OWNER: "alice_client", Role.ADMIN: "bob_client", Role.VIEWER: "victor_client"}
RANK = Membership.RANK


@pytest.fixture
def url(team, alice, bob, victor, invitation):
    """``url(name)``: the page's URL in ``team``, with alice's membership or a pending code."""
    codes = {
        "change_role": alice.memberships.get().code,
        "remove_member": alice.memberships.get().code,
        "cancel_invitation": invitation.code,
    }

    def build(name: str, slug: str = team.slug) -> str:
        kwargs = {"slug": slug} | ({"code": codes[name]} if name in codes else {})
        return reverse(f"accounts:{name}", kwargs=kwargs)

    return build


def hit(client, name: str, url: str):
    return client.post(url) if TEAM_PAGES[name][1] else client.get(url)


def test_it_covers_every_team_url():
    team_urls = {
        p.name
        for p in urls.urlpatterns
        if isinstance(p, URLPattern) and "<slug:slug>" in str(p.pattern)
    }
    assert set(TEAM_PAGES) == team_urls


@pytest.mark.parametrize("name", TEAM_PAGES)
@pytest.mark.parametrize("role", list(CLIENTS))
def test_it_enforces_the_minimum_role(request, url, name, role):
    client = request.getfixturevalue(CLIENTS[role])
    response = hit(client, name, url(name))
    if RANK[role] >= RANK[TEAM_PAGES[name][0]]:
        assert response.status_code not in (403, 404, 405)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_it_hides_the_team_from_outsiders(charlie_client, url, name):
    assert hit(charlie_client, name, url(name)).status_code == 404


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_it_404s_for_an_unknown_team(alice_client, url, name):
    assert hit(alice_client, name, url(name, slug="nope")).status_code == 404


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_it_sends_anonymous_users_to_sign_in(client, url, name):
    response = hit(client, name, url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("name", [n for n, (_, post_only) in TEAM_PAGES.items() if post_only])
def test_it_rejects_get_on_post_only_views(alice_client, url, name):
    assert alice_client.get(url(name)).status_code == 405
