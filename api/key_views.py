"""Team settings → API keys: list, create (the key is shown once) and revoke. Owners and
admins only: viewers get 403, outsiders 404 (``get_team_for_user``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import Role, get_team_for_user
from accounts.submissions import once
from events.models import Event

from .forms import APIKeyForm
from .models import APIKey

EVENTS_SHOWN = 20
KEY_KINDS = (Event.Kind.API_KEY_CREATED, Event.Kind.API_KEY_REVOKED)


def _render(request: HttpRequest, team, form: APIKeyForm, status: int = 200, **extra):
    keys = (
        APIKey.objects.filter(team=team)
        .select_related("created_by")
        .prefetch_related("connections")
    )
    context = {
        "team": team,
        "form": form,
        "keys": keys,
        "events": Event.objects.filter(team=team, kind__in=KEY_KINDS).select_related("actor")[
            :EVENTS_SHOWN
        ],
        **extra,
    }
    return render(request, "api/keys.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def key_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's keys and the form to create one. A created key is shown in this response
    only: it is never stored, and the page isn't cached."""
    team = get_team_for_user(request, slug, Role.ADMIN)
    form = APIKeyForm(request.POST or None, team=team)
    if request.method == "POST":
        if not form.is_valid():
            return _render(request, team, form, status=400)
        data, raw = form.cleaned_data, []

        def create() -> APIKey:
            key, value = APIKey.create(
                team,
                data["name"],
                data["scopes"],
                created_by=request.user,
                connections=list(data["connections"]),
                expires_at=form.expires_at,
                submission=data["submission"],
            )
            raw.append(value)
            return key

        key, created = once(APIKey.objects.filter(team=team), data["submission"], create)
        if not created:  # the same form again (a double click, a reload)
            messages.info(
                request,
                "That key was created already, and its value was shown only once. If you "
                "didn't copy it, revoke it and create another.",
            )
            return redirect("api:keys", slug=team.slug)
        return _render(request, team, APIKeyForm(team=team), created=key, raw_key=raw[0])
    return _render(request, team, form)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Confirm (GET) and revoke (POST) a key."""
    team = get_team_for_user(request, slug, Role.ADMIN)
    key = get_object_or_404(APIKey, team=team, code=code)
    if request.method == "GET":
        return render(request, "api/revoke.html", {"team": team, "key": key})
    if key.revoke(request.user):
        messages.success(request, f"Revoked {key.name} ({key.label}). It no longer works.")
    else:
        messages.info(request, f"{key.name} ({key.label}) was already revoked.")
    return redirect("api:keys", slug=team.slug)
