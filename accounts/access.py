"""The one way team pages load their team: members only, with a minimum role."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Membership, Team

Role = Membership.Role


def get_team_for_user(request: HttpRequest, slug: str, role: str = Role.VIEWER) -> Team:
    """Return the team ``slug`` for the signed-in user and remember it as the current team.

    Sets ``request.team`` and ``request.membership``. Raises Http404 when the user is not a
    member (so a team's existence doesn't leak) and PermissionDenied (403) when the member's
    role is lower than ``role``. Anonymous users get 404 too; views are wrapped in
    ``login_required`` so they are sent to sign in first.
    """
    if not request.user.is_authenticated:
        raise Http404("No such team.")
    membership = (
        Membership.objects.select_related("team").filter(team__slug=slug, user=request.user).first()
    )
    if membership is None:
        raise Http404("No such team.")
    if not membership.has_role(role):
        raise PermissionDenied(f"This needs the {Role(role).label} role in {membership.team}.")
    request.team = membership.team
    request.membership = membership
    request.session["team_slug"] = membership.team.slug
    return membership.team
