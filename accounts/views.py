"""First-run setup, the home redirect and team creation. Team management is in team_views."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from .forms import NewTeamForm, SetupForm
from .models import Membership, Team, User
from .submissions import once


def home(request: HttpRequest) -> HttpResponse:
    """Send people where they belong: setup, sign in, or their current team."""
    if not User.objects.exists():
        return redirect("accounts:setup")
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    preferred = request.session.get("team_slug")
    chosen = next((m for m in memberships if m.team.slug == preferred), None) or next(
        iter(memberships), None
    )
    if chosen is None:
        return redirect("accounts:team_create")
    return redirect("connections:list", slug=chosen.team.slug)


@sensitive_post_parameters("password1", "password2")
def setup(request: HttpRequest) -> HttpResponse:
    """Create the first administrator and their team. A 404 once any user exists."""
    if User.objects.exists():
        raise Http404("Setup is complete.")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            _lock_user_table()
            if User.objects.exists():  # a second submit raced us
                raise Http404("Setup is complete.")
            user = User.objects.create_superuser(
                form.cleaned_data["email"], form.cleaned_data["password1"]
            )
            team = Team.objects.create(name=form.cleaned_data["team_name"])
            Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! {team} is ready. Connect your first Salesforce org.")
        return redirect("connections:list", slug=team.slug)
    return render(request, "accounts/setup.html", {"form": form})


def _lock_user_table() -> None:
    """Serialize first-run setups until the transaction ends. SELECT ... FOR UPDATE on an empty
    table locks nothing on PostgreSQL; SQLite's IMMEDIATE transactions already serialize."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{User._meta.db_table}" IN EXCLUSIVE MODE')


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    """Create another team; its creator becomes its owner."""
    form = NewTeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        submission = form.cleaned_data["submission"]

        def create() -> Team:
            team = Team.objects.create(name=form.cleaned_data["name"], submission=submission)
            Membership.objects.create(user=request.user, team=team, role=Membership.Role.OWNER)
            return team

        # A double click finds the team the first POST made (and only a team the user is in).
        team, _ = once(Team.objects.filter(memberships__user=request.user), submission, create)
        messages.success(request, f"Team {team} created.")
        return redirect("connections:list", slug=team.slug)
    return render(request, "accounts/team_create.html", {"form": form})
