"""Forms for first-run setup, teams, members and invitations."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import Membership, User
from .submissions import SubmittedOnce

# forms.EmailField allows 320 characters; the column holds 254 (PostgreSQL rejects more).
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


def clean_team_name(value: str) -> str:
    """Collapse whitespace, line breaks included: the name goes into email Subject headers."""
    name = " ".join(value.split())
    if not name:
        raise forms.ValidationError("Enter a team name.")
    return name


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords don't match.")
        elif p1:
            user = User(email=cleaned.get("email") or getattr(self, "email", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SetupForm(NewPasswordMixin):
    """First run: the first administrator and their team."""

    email = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "password1", "password2", "team_name"]
    team_name = forms.CharField(label="Team name", max_length=100)

    def clean_team_name(self):
        return clean_team_name(self.cleaned_data["team_name"])


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=100)

    def clean_name(self):
        return clean_team_name(self.cleaned_data["name"])


class NewTeamForm(SubmittedOnce, TeamForm):
    pass


class InviteForm(SubmittedOnce):
    email = forms.EmailField(label="Email", max_length=EMAIL_MAX_LENGTH)
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial="admin")

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.team and self.team.memberships.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member of {self.team}.")
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class AcceptInvitationForm(NewPasswordMixin):
    """Create an account while accepting an invitation (the email comes from the invitation)."""

    name = forms.CharField(label="Your name", max_length=150, required=False)
    field_order = ["name", "password1", "password2"]

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
