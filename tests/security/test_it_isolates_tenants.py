"""Tenant isolation: every URL pattern x {anonymous, user of another team, viewer, admin,
owner, superuser who is no member} x GET/POST → the expected status, using real objects of
two teams (``team``: alice owner, bob admin, victor viewer; ``other_team``: charlie owner).

A new URL pattern without an entry in MATRIX fails ``test_it_has_an_entry_for_every_url``.

Targets of a pattern whose URL names a team or its objects:
- ``ours``: ``team`` and its objects (the table below);
- ``theirs``: ``other_team`` and its objects: team members get what the outsider gets on
  ``ours`` and charlie what the owner gets (the same rules, mirrored);
- ``mixed``: ``team``'s slug with ``other_team``'s object code: 404 for members who pass the
  role check (MIXED overrides), so an object can't be reached through another team's URL.
Another team's connection, membership, invitation or event (shown only on its connection's
pages) is always 404, never 403 or 200. 403 is only ever about the role in one's own team and
is decided before any object is looked up.

Decision: a superuser who is no member of a team gets 404 on its pages like any outsider.
The Django admin (/admin/, staff only) is the superuser's tool; the team pages are the teams'.
"""

from contextlib import contextmanager

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, Membership, Team, User
from api.models import APIKey
from connections.models import (
    AuthorizationRequest,
    ClientCredentials,
    Connection,
    ConnectionEvent,
    TokenSet,
)
from tests.conftest import make_user
from tests.connections.helpers import (
    API_VERSIONS,
    INSTANCE_URL,
    REVOKE_URL,
    TOKEN_URL,
    token_body,
)
from tests.security.conftest import RecordingClient
from webhooks.models import Delivery, Endpoint

ROLES = ("anonymous", "outsider", "viewer", "admin", "owner", "superuser")
ANON, NO = 302, 405  # anonymous → sign-in redirect; method not allowed
POST_ONLY = {"GET": (ANON, NO, NO, NO, NO, NO)}
GET_ONLY = {"POST": (ANON, NO, NO, NO, NO, NO)}
OWNER_ACTION = (ANON, 404, 403, 403, 302, 404)
ADMIN_ACTION = (ANON, 404, 403, 302, 302, 404)
ADMIN_FORM = (ANON, 404, 403, 200, 200, 404)
MEMBER_PAGE = (ANON, 404, 200, 200, 200, 404)

PLAIN = "plain"
OWNER_FORM = (ANON, 404, 403, 403, 200, 404)
CALLBACK = (ANON, 404, 403, 403, 400, 404)
SIGN_IN = (200, 302, 302, 302, 302, 302)  # signed-in users are sent on
INVITEE = (200, 403, 403, 403, 403, 403)  # only the invitee (here: signed out) may use it


def everyone(status: int) -> tuple:
    return (status,) * 6


def signed_in(status: int) -> tuple:
    return (ANON,) + (status,) * 5


# name -> {method: statuses in ROLES order}, with "kind": team | object | plain | capability
MATRIX = {
    "home": {"kind": PLAIN, "GET": everyone(302), "POST": everyone(302)},
    "healthz": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(200)},
    "readyz": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(NO)},
    "metrics": {"kind": PLAIN, "GET": everyone(404), "POST": everyone(NO)},  # no METRICS_TOKEN
    "favicon": {"kind": PLAIN, "GET": everyone(302), "POST": everyone(302)},
    "accounts:setup": {"kind": PLAIN, "GET": everyone(404), "POST": everyone(404)},
    "accounts:login": {"kind": PLAIN, "GET": SIGN_IN, "POST": SIGN_IN},
    "accounts:logout": {"kind": PLAIN, "GET": everyone(NO), "POST": everyone(302)},
    "accounts:password_change": {"kind": PLAIN, "GET": signed_in(200), "POST": signed_in(200)},
    "accounts:password_change_done": {"kind": PLAIN, "GET": signed_in(200), "POST": signed_in(NO)},
    "accounts:password_reset": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(200)},
    "accounts:password_reset_done": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(NO)},
    "accounts:password_reset_confirm": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(200)},
    "accounts:password_reset_complete": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(NO)},
    "accounts:team_create": {"kind": PLAIN, "GET": signed_in(200), "POST": signed_in(200)},
    "accounts:team_settings": {"kind": "team", "GET": OWNER_FORM, "POST": OWNER_FORM},
    "accounts:members": {"kind": "team", "GET": MEMBER_PAGE, **GET_ONLY},
    "accounts:invite": {"kind": "team", **POST_ONLY, "POST": (ANON, 404, 403, 403, 400, 404)},
    "accounts:change_role": {"kind": "object", **POST_ONLY, "POST": OWNER_ACTION},
    # The target is bob's membership: bob may remove himself (leave), so he gets 302.
    "accounts:remove_member": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    "accounts:cancel_invitation": {"kind": "object", **POST_ONLY, "POST": OWNER_ACTION},
    # The signed link is the capability: whoever holds it sees the invitation; signed-in users
    # with another email get 403 (checked in tests/accounts). Not scoped by team.
    "accounts:accept_invitation": {"kind": "capability", "GET": INVITEE, "POST": INVITEE},
    # The activity log, for every member; webhooks, for owners and admins (a POST without
    # fields: the form answers 400; Rotate redirects to a GET that shows the new secret once,
    # and that GET without a rotation redirects to the webhook).
    "events:activity": {"kind": "team", "GET": MEMBER_PAGE, **GET_ONLY},
    "webhooks:list": {"kind": "team", "GET": ADMIN_FORM, "POST": (ANON, 404, 403, 400, 400, 404)},
    "webhooks:detail": {
        "kind": "object", "GET": ADMIN_FORM, "POST": (ANON, 404, 403, 400, 400, 404)
    },
    "webhooks:send_test": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    "webhooks:rotate": {"kind": "object", "GET": ADMIN_ACTION, "POST": ADMIN_ACTION},
    "webhooks:delete": {"kind": "object", "GET": ADMIN_FORM, "POST": ADMIN_ACTION},
    "webhooks:redeliver": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    "api:events": {"kind": PLAIN, "GET": everyone(401), "POST": everyone(401)},
    "connections:list": {"kind": "team", "GET": MEMBER_PAGE, **GET_ONLY},
    "connections:new": {"kind": "team", "GET": ADMIN_FORM, "POST": ADMIN_FORM},
    "connections:detail": {"kind": "object", "GET": MEMBER_PAGE, **GET_ONLY},
    # Step 1 again for an unfinished connection; a connected one is sent to Edit.
    "connections:setup": {"kind": "object", "GET": ADMIN_ACTION, "POST": ADMIN_ACTION},
    "connections:credentials": {"kind": "object", "GET": ADMIN_FORM, "POST": ADMIN_FORM},
    "connections:edit": {"kind": "object", "GET": ADMIN_FORM, "POST": ADMIN_FORM},
    "connections:test": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    "connections:refresh": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    # GET: the confirmation page.
    "connections:disconnect": {"kind": "object", "GET": ADMIN_FORM, "POST": ADMIN_ACTION},
    # A connected connection can't be deleted: both methods redirect to it.
    "connections:delete": {"kind": "object", "GET": ADMIN_ACTION, "POST": ADMIN_ACTION},
    # A duplicate's choices: nothing to choose here, so "already made" (302).
    "connections:reauthorize_instead": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    "connections:keep_both": {"kind": "object", **POST_ONLY, "POST": ADMIN_ACTION},
    # The flow (found by ?state=) was started by the owner: the admin gets "another user
    # started this sign-in" (403), the owner "no authorization code" (400).
    "connections:oauth_callback": {"kind": "flow", "GET": CALLBACK, **GET_ONLY},
    # Team settings → API keys. POST without fields: the form answers 400.
    "api:keys": {"kind": "team", "GET": ADMIN_FORM, "POST": (ANON, 404, 403, 400, 400, 404)},
    "api:revoke": {"kind": "object", "GET": ADMIN_FORM, "POST": ADMIN_ACTION},
    # The HTTP API takes API keys only: a session is no key (tests/api/test_it_isolates_keys).
    "api:schema": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(NO)},
    "api:docs": {"kind": PLAIN, "GET": everyone(200), "POST": everyone(NO)},
    "api:not_found": {"kind": PLAIN, "GET": everyone(404), "POST": everyone(404)},
    "api:connections": {"kind": PLAIN, "GET": everyone(401), "POST": everyone(401)},
    "api:connection": {"kind": "api", "GET": everyone(401), "POST": everyone(401)},
    "api:access_token": {"kind": "api", "GET": everyone(401), "POST": everyone(401)},
    "api:access_token_invalid": {"kind": "api", "GET": everyone(401), "POST": everyone(401)},
    "api:test": {"kind": "api", "GET": everyone(401), "POST": everyone(401)},
    "api:proxy": {"kind": "api", "GET": everyone(401), "POST": everyone(401)},
    "api:proxy_dataverse": {"kind": "api", "GET": everyone(401), "POST": everyone(401)},
}  # fmt: skip
# Mixed targets where a role check (403) or leaving oneself decides before the lookup.
MIXED = {("accounts:remove_member", "POST"): {"admin": 403}}


def url_names(resolvers=None, namespace="") -> list[str]:
    """Every URL pattern's qualified name, recursively; admin patterns as "admin:*"."""
    names = []
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += ["admin:*"] if inner == "admin:" else url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            names.append(f"{namespace}{entry.name}" if entry.name else f"unnamed {entry.pattern}")
    return sorted(set(names))


def populate(team: Team, owner: User, prefix: str) -> dict:
    """A connected connection with an event and a started flow, a pending invitation and an
    admin member: the objects URLs point at."""
    member = make_user(f"{prefix}.admin@example.com")
    Membership.objects.get_or_create(user=member, team=team, defaults={"role": "admin"})
    connection = Connection.objects.create(
        team=team, name=f"{prefix} org", status="connected", created_by=owner,
        organization_id="00D5g000004XmplEAC", instance_url=INSTANCE_URL,
    )  # fmt: skip
    ClientCredentials.objects.create(
        connection=connection, consumer_key="3MVG9" + "k" * 30, consumer_secret="s3cret-x"
    )
    TokenSet.objects.create(
        connection=connection, access_token="a", refresh_token="r", instance_url=INSTANCE_URL,
        issued_at=timezone.now(), refresh_token_last_used_at=timezone.now(),
    )  # fmt: skip
    connection.record(ConnectionEvent.Kind.CREATED, f"{prefix} event marker", owner)
    endpoint, _ = Endpoint.create(team, f"https://{prefix.lower()}.example.com/in", [], owner)
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id=f"msg_{prefix}", event_type="webhook.test", payload="{}"
    )
    flow = AuthorizationRequest.objects.create(
        state=f"{prefix}-state", code_verifier="v" * 50, connection=connection, user=owner,
        redirect_uri="http://127.0.0.1:8881/api/connections/oauth/callback",
    )  # fmt: skip
    invitation = team.invite(f"{prefix}.invitee@example.com", "admin", owner)
    api_key, _ = APIKey.create(team, f"{prefix} key", APIKey.Scope.values, created_by=owner)
    return {
        "api_key": api_key.code,
        "slug": team.slug,
        "connection": connection.code,
        "membership": Membership.objects.get(user=member, team=team).code,
        "invitation": invitation.code,
        "token": invitation.signed_token(),
        "state": flow.state,
        "endpoint": endpoint.code,
        "delivery": delivery.code,
    }


# Words in each team's name and objects; members of one team must never see the other's.
MARKERS = {"owner": "alphamarker", "outsider": "betamarker"}
MARKERS.update(viewer=MARKERS["owner"], admin=MARKERS["owner"])


@pytest.fixture
def world(team, other_team, alice, bob, victor, charlie, root, rsps):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=API_VERSIONS)
    rsps.post(TOKEN_URL, json=token_body(access_token="a2", refresh_token="r2"))
    rsps.post(REVOKE_URL)
    users = {"outsider": charlie, "viewer": victor, "admin": bob, "owner": alice, "superuser": root}
    Team.objects.filter(pk=team.pk).update(name="Alphamarker Admins")
    Team.objects.filter(pk=other_team.pk).update(name="Betamarker Admins")
    ours = populate(team, alice, "Alphamarker")
    ours["membership"] = Membership.objects.get(user=bob, team=team).code
    return {"users": users, "ours": ours, "theirs": populate(other_team, charlie, "Betamarker")}


def path_for(name: str, ids: dict, code_ids: dict) -> str:
    """The URL of ``name`` with the team of ``ids`` and the object of ``code_ids``."""
    if name == "accounts:password_reset_confirm":
        return reverse(name, args=[urlsafe_base64_encode(b"1"), "not-a-token"])
    if name == "webhooks:redeliver":
        codes = {"code": code_ids["endpoint"], "delivery": code_ids["delivery"]}
        return reverse(name, kwargs={"slug": ids["slug"], **codes})
    if name == "accounts:accept_invitation":
        return reverse(name, args=[code_ids["token"]])
    if name == "connections:oauth_callback":
        return reverse(name) + f"?state={code_ids['state']}"
    kind = MATRIX[name]["kind"]
    if kind == "plain":
        return reverse(name)
    if kind == "api":
        extra = {"path": "data/"} if name in ("api:proxy", "api:proxy_dataverse") else {}
        return reverse(name, kwargs={"id": code_ids["connection"], **extra})
    if kind == "team":
        return reverse(name, kwargs={"slug": ids["slug"]})
    key = {
        **dict.fromkeys(
            ["webhooks:detail", "webhooks:send_test", "webhooks:rotate", "webhooks:delete"],
            "endpoint",
        ),
        "accounts:change_role": "membership",
        "accounts:remove_member": "membership",
        "accounts:cancel_invitation": "invitation",
        "api:revoke": "api_key",
    }.get(name, "connection")
    return reverse(name, kwargs={"slug": ids["slug"], "code": code_ids[key]})


def expected(name: str, method: str, target: str, role: str) -> int:
    ours = dict(zip(ROLES, MATRIX[name][method], strict=True))
    if target == "ours" or role in ("anonymous", "superuser"):
        return ours[role]
    if target == "theirs":
        return ours["owner"] if role == "outsider" else ours["outsider"]
    # mixed: our slug, their object
    if role in MIXED.get((name, method), {}):
        return MIXED[name, method][role]
    return ours[role] if ours[role] in (403, 405) else 404


def targets(name: str) -> list[str]:
    kind = MATRIX[name]["kind"]
    return {"plain": ["ours"], "capability": ["ours", "theirs"], "flow": ["ours", "theirs"],
            "team": ["ours", "theirs"], "object": ["ours", "theirs", "mixed"],
            "api": ["ours", "theirs"]}[kind]  # fmt: skip


CASES = [
    (name, method, target)
    for name in MATRIX
    for method in ("GET", "POST")
    for target in targets(name)
]


@contextmanager
def rolled_back():
    """Undo one request's writes, so each role meets the same objects. Marked like
    pytest-django's own test transaction, so durable blocks inside (the keep-alive's refresh)
    run as they do in any test."""
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield
        transaction.set_rollback(True)


def test_it_has_an_entry_for_every_url():
    names = url_names()
    assert "admin:*" in names
    missing = [name for name in names if name not in MATRIX and name != "admin:*"]
    assert not missing, f"URL patterns without an entry in MATRIX: {missing}"
    assert not [name for name in MATRIX if name not in names], "MATRIX lists a removed URL"


@pytest.mark.parametrize(("name", "method", "target"), CASES)
def test_it_answers_each_role(world, name, method, target):
    ids = world["theirs"] if target == "theirs" else world["ours"]
    code_ids = world["ours"] if target == "ours" else world["theirs"]
    path = path_for(name, ids, code_ids)
    answers, wanted = {}, {role: expected(name, method, target, role) for role in ROLES}
    for role in ROLES:
        client = RecordingClient()
        if role != "anonymous":
            client.force_login(world["users"][role])
        with rolled_back():
            response = client.get(path) if method == "GET" else client.post(path)
        answers[role] = response.status_code
        if role == "anonymous" and MATRIX[name]["kind"] in ("team", "object", "flow"):
            assert response["Location"].startswith(reverse("accounts:login"))
        # Nothing of a team (name, connections, events, people) reaches someone outside it.
        if MATRIX[name]["kind"] != "capability":
            body = response.content.decode().lower()
            for marker in set(MARKERS.values()) - {MARKERS.get(role)}:
                assert marker not in body, f"{marker} leaked to {role} at {method} {path}"
    assert answers == wanted, f"{method} {path}"


def test_it_keeps_the_admin_for_staff(world, root):
    """Every admin changelist: staff only (the superuser), everyone else to the admin login."""
    pages = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]
    for role in ROLES:
        client = RecordingClient()
        if role != "anonymous":
            client.force_login(world["users"][role])
        for page in pages:
            response = client.get(page)
            if role == "superuser":
                assert response.status_code == 200, page
            else:
                assert response.status_code == 302, (role, page)
                assert response["Location"].startswith(reverse("admin:login"))


def test_it_never_lists_another_teams_events(world, alice):
    client = RecordingClient()
    client.force_login(alice)
    detail = reverse(
        "connections:detail",
        kwargs={"slug": world["ours"]["slug"], "code": world["ours"]["connection"]},
    )
    page = client.get(detail).content.decode()
    assert "Alphamarker event marker" in page
    assert "Betamarker" not in page
    assert Invitation.objects.count() == 2
