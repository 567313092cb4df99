"""The one way connection pages load a connection."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.access import Role, get_team_for_user

from .models import Connection


def get_connection_for_user(
    request: HttpRequest, slug: str, code, role: str = Role.VIEWER
) -> Connection:
    """The connection ``code`` of team ``slug`` for the signed-in user.
    Raises Http404 for non-members and for another team's (or no) connection, and
    PermissionDenied when the member's role is lower than ``role``."""
    team = get_team_for_user(request, slug, role)
    return get_object_or_404(Connection.objects.select_related("team"), team=team, code=code)
