"""Connection pages (placeholder, being written)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.access import get_team_for_user

from .models import Connection


@login_required
def connection_list(request, slug):
    team = get_team_for_user(request, slug)
    connections = Connection.objects.for_team(team)
    return render(request, "connections/list.html", {"team": team, "connections": connections})
