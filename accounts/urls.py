from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import team_views, views
from .forms import EmailAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<slug:slug>/settings/", team_views.team_settings, name="team_settings"),
    path("teams/<slug:slug>/members/", team_views.members, name="members"),
    path("teams/<slug:slug>/members/invite/", team_views.invite, name="invite"),
    path(
        "teams/<slug:slug>/members/<uuid:code>/role/",
        team_views.change_role,
        name="change_role",
    ),
    path(
        "teams/<slug:slug>/members/<uuid:code>/remove/",
        team_views.remove_member,
        name="remove_member",
    ),
    path(
        "teams/<slug:slug>/invitations/<uuid:code>/cancel/",
        team_views.cancel_invitation,
        name="cancel_invitation",
    ),
    path("invitations/<str:token>/", team_views.accept_invitation, name="accept_invitation"),
]
