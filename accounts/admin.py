from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Invitation, Membership, Team, User


class UniqueEmailMixin:
    """Lowercase the email and refuse one that differs from another user's only in case:
    sign-in matches emails case-insensitively, so both accounts would stop working."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserCreationForm(UniqueEmailMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(UniqueEmailMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "name", "password")


class TeamMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created")
    readonly_fields = ("created",)
    raw_id_fields = ("user",)


class UserMembershipInline(TeamMembershipInline):
    fields = ("team", "role", "created")
    raw_id_fields = ("team",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "is_staff", "is_active", "date_joined", "last_login")
    search_fields = ("email", "name")
    ordering = ("email",)
    inlines = [UserMembershipInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # the add page stays Django's short two-step form


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created")
    search_fields = ("name", "slug")
    readonly_fields = ("created",)
    inlines = [TeamMembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role", "created")
    list_filter = ("role", "team")
    list_select_related = ("user", "team")
    search_fields = ("user__email", "team__name")
    raw_id_fields = ("user", "team")
    readonly_fields = ("code", "created")


class AcceptedFilter(admin.SimpleListFilter):
    title = "accepted"
    parameter_name = "accepted"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(accepted_at__isnull=self.value() == "no")
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from the members page; the admin never shows their link."""

    list_display = ("email", "team", "role", "invited_by", "created", "accepted_at")
    list_filter = ("team", AcceptedFilter)
    list_select_related = ("team", "invited_by")
    search_fields = ("email",)
    raw_id_fields = ("team", "invited_by")
    readonly_fields = ("code", "created", "accepted_at")
