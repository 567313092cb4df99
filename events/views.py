"""The team's activity log: every event of the team, newest first, for every member."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import get_team_for_user

from .forms import ActivityFilterForm
from .models import Event

EVENTS_PER_PAGE = 50


def page_of(events, request: HttpRequest):
    """One page of ``events`` (EVENTS_PER_PAGE); a bad page number falls back (get_page)."""
    events = events.select_related("actor", "actor_key")
    return Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def activity(request: HttpRequest, slug: str) -> HttpResponse:
    """All events of the team (deleted connections' too), filterable by type and connection."""
    team = get_team_for_user(request, slug)
    form = ActivityFilterForm(request.GET or None, team=team)
    events = Event.objects.filter(team=team)
    status = 200
    if form.is_bound:
        if form.is_valid():
            events = form.filter(events)
        else:
            events, status = events.none(), 400
    context = {"team": team, "form": form, "events": page_of(events, request)}
    return render(request, "events/activity.html", context, status=status)
