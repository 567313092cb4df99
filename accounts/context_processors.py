"""Template context: the teams of the signed-in user, for the team switcher."""

from django.http import HttpRequest

from .models import Membership


def teams(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.filter(user=user).select_related("team")
    return {
        "user_memberships": memberships,
        "current_team": getattr(request, "team", None),
        "current_membership": getattr(request, "membership", None),
    }
