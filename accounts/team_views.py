"""Team management: settings, members, invitations. Every team page loads its team through
``get_team_for_user``; members and invitations are looked up by ``code`` within that team."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from .access import get_team_for_user
from .forms import AcceptInvitationForm, InviteForm, RoleForm, TeamForm
from .models import Invitation, LastOwnerError, Membership, Team, User
from .submissions import once

logger = logging.getLogger(__name__)
Role = Membership.Role


@login_required
def team_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Rename the team (owners). The slug, and so every URL, stays the same."""
    team = get_team_for_user(request, slug, Role.OWNER)
    form = TeamForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        team.name = form.cleaned_data["name"]
        team.save(update_fields=["name"])
        messages.success(request, f"The team is now called {team}.")
        return redirect("accounts:team_settings", slug=team.slug)
    status = 400 if form.is_bound else 200  # shown again with errors, like invite
    return render(
        request, "accounts/team_settings.html", {"team": team, "form": form}, status=status
    )


def _render_members(
    request: HttpRequest, team: Team, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    ctx = {
        "team": team,
        "is_owner": request.membership.has_role(Role.OWNER),
        "memberships": team.memberships.select_related("user").order_by("user__email"),
        "invitations": team.invitations.filter(accepted_at__isnull=True).select_related(
            "invited_by"
        ),
        "invite_form": invite_form or InviteForm(team=team),
        "roles": Role.choices,
    }
    return render(request, "accounts/members.html", ctx, status=status)


@login_required
@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and pending invitations; owners also get the controls."""
    team = get_team_for_user(request, slug)
    return _render_members(request, team)


def send_invitation(invitation: Invitation) -> None:
    """Email the invitation link (absolute, built from PUBLIC_BASE_URL)."""
    path = reverse("accounts:accept_invitation", args=[invitation.signed_token()])
    ctx = {"invitation": invitation, "link": settings.PUBLIC_BASE_URL + path}
    send_mail(
        f"Join {invitation.team} on Orgkeeper",
        render_to_string("accounts/email/invitation.txt", ctx),
        None,
        [invitation.email],
    )


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite someone by email (owners). Re-inviting a pending email renews the invitation."""
    team = get_team_for_user(request, slug, Role.OWNER)
    form = InviteForm(request.POST, team=team)
    if not form.is_valid():
        return _render_members(request, team, invite_form=form, status=400)
    data = form.cleaned_data
    invitation, created = once(
        team.invitations.all(),
        data["submission"],
        lambda: team.invite(data["email"], data["role"], request.user, data["submission"]),
    )
    sent = f"Invitation sent to {invitation.email}. The link works once and expires in 7 days."
    if not created:  # the same form again (a double click): the first POST sends it
        messages.success(request, sent)
        return redirect("accounts:members", slug=team.slug)
    try:
        send_invitation(invitation)
    except OSError:  # smtplib.SMTPException is an OSError too
        logger.exception("Could not send the invitation to %s", invitation.email)
        invitation.delete()
        messages.error(request, f"Couldn't send the email to {invitation.email}. Try again later.")
    else:
        messages.success(request, sent)
    return redirect("accounts:members", slug=team.slug)


@login_required
@require_POST
def change_role(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Change a member's role (owners). The last owner can't be demoted."""
    team = get_team_for_user(request, slug, Role.OWNER)
    membership = get_object_or_404(team.memberships.select_related("user"), code=code)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
        return redirect("accounts:members", slug=team.slug)
    try:
        membership.change_role(form.cleaned_data["role"], request.user)
    except LastOwnerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("accounts:members", slug=team.slug)


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Remove a member (owners), or leave the team (anyone, their own membership)."""
    team = get_team_for_user(request, slug)
    leaving = request.membership.code == code
    if not leaving and not request.membership.has_role(Role.OWNER):
        raise PermissionDenied(f"Only owners of {team} can remove members.")
    membership = get_object_or_404(team.memberships.select_related("user"), code=code)
    try:
        membership.remove(request.user)
    except LastOwnerError as error:
        messages.error(request, str(error))
        return redirect("accounts:members", slug=team.slug)
    if leaving:
        request.session.pop("team_slug", None)
        messages.success(request, f"You left {team}.")
        return redirect("home")
    messages.success(request, f"{membership.user} was removed from {team}.")
    return redirect("accounts:members", slug=team.slug)


@login_required
@require_POST
def cancel_invitation(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Withdraw a pending invitation (owners); its link stops working."""
    team = get_team_for_user(request, slug, Role.OWNER)
    invitation = get_object_or_404(team.invitations, code=code, accepted_at__isnull=True)
    invitation.delete()
    messages.success(request, f"The invitation of {invitation.email} was cancelled.")
    return redirect("accounts:members", slug=team.slug)


def _unusable(
    request: HttpRequest, reason: str, status: int, invitation: Invitation | None = None
) -> HttpResponse:
    ctx = {"reason": reason, "invitation": invitation}
    if invitation is not None and request.user.is_authenticated:
        ctx["is_member"] = invitation.team.memberships.filter(user=request.user).exists()
    return render(request, "accounts/invitation_unusable.html", ctx, status=status)


@sensitive_post_parameters("password1", "password2")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: join the team, signing in or creating an account first if needed."""
    try:
        invitation = Invitation.from_token(token)
    except signing.SignatureExpired:
        return _unusable(request, "expired", 410)
    except (signing.BadSignature, Invitation.DoesNotExist):
        return _unusable(request, "invalid", 404)
    if invitation.accepted_at is not None:
        return _unusable(request, "used", 410, invitation)
    if invitation.is_expired():
        return _unusable(request, "expired", 410, invitation)

    user = request.user
    if user.is_authenticated and user.email.lower() != invitation.email.lower():
        return _unusable(request, "wrong_user", 403, invitation)
    ctx = {"invitation": invitation, "team": invitation.team}
    if user.is_authenticated:
        if request.method != "POST":
            return render(request, "accounts/invitation.html", ctx)
        try:
            invitation.accept(user)
        except ValueError:  # a second submit got here first
            return _unusable(request, "used", 410, invitation)
        return _joined(request, invitation)

    if User.objects.filter(email__iexact=invitation.email).exists():
        ctx["login_url"] = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation.html", ctx)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    invitation.email, form.cleaned_data["password1"], name=form.cleaned_data["name"]
                )
                invitation.accept(user)
        except (IntegrityError, ValueError):  # a second submit got here first
            return _unusable(request, "used", 410, invitation)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _joined(request, invitation)
    return render(request, "accounts/invitation.html", {**ctx, "form": form})


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, f"Welcome to {invitation.team}!")
    return redirect("connections:list", slug=invitation.team.slug)
