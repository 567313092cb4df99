"""Admin for connections. Secrets (consumer secret, tokens, code verifier) are never listed
or shown: their fields are excluded and at most shown as "set" / "not set"."""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction

from . import keepalive, providers
from .models import AuthorizationRequest, ClientCredentials, Connection, TokenSet


def _set_or_not(value) -> str:
    return "set" if value else "not set"


class ViewOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete: the rows are written only where their invariants are kept
    (see each subclass)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _environment_choices() -> list[tuple[str, str]]:
    return [("", "The provider's default"), *providers.environment_choices()]


class ConnectionAdminForm(forms.ModelForm):
    """Accepts the environments of the connection's provider, and the login URLs the wizard
    accepts: another host would get the consumer secret and the tokens."""

    environment = forms.ChoiceField(choices=_environment_choices, required=False)

    def clean(self):
        data = super().clean()
        provider = providers.get(data.get("provider") or self.instance.provider)
        environment = data.get("environment", "")
        if environment and environment not in provider.environment_labels:
            self.add_error("environment", f"{provider.label} has no {environment} environment.")
            return data
        return provider.forms.clean_login_url(self, data)


class EnvironmentFilter(admin.SimpleListFilter):
    """Filter by environment, by its label."""

    title = "environment"
    parameter_name = "environment"

    def lookups(self, request, model_admin):
        return providers.environment_choices()

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(environment=value) if value else queryset


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionAdminForm
    list_display = (
        "name",
        "team",
        "environment_label",
        "status",
        "organization_id",
        "next_refresh_at",
    )
    list_filter = ("status", EnvironmentFilter, "team")
    search_fields = ("name", "organization_id")
    list_select_related = ("team",)
    raw_id_fields = ("team", "created_by", "duplicate_of")
    readonly_fields = ("code", "login_url", "last_token_generation", "created", "updated")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["refresh_now"]

    def get_readonly_fields(self, request, obj=None):
        """The provider is fixed once a connection exists: its tokens, credentials and
        environment belong to that provider."""
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "provider") if obj else fields

    def save_model(self, request, obj, form, change):
        """On change, write only what the form changed, under the row lock: the keep-alive
        updates this row concurrently, and a full save would write back what the page read
        (status, next refresh, failures)."""
        if not change:
            return super().save_model(request, obj, form, change)
        fields = [name for name in form.changed_data if name in form.base_fields]
        if {"environment", "my_domain_url"} & set(fields):
            fields.append("login_url")
        if not fields:
            return None
        with transaction.atomic():
            Connection.objects.select_for_update().filter(pk=obj.pk).exists()
            obj.save(update_fields=[*fields, "updated"])
        return None

    @admin.display(description="environment", ordering="environment")
    def environment_label(self, obj) -> str:
        return obj.get_environment_display()

    @admin.action(description="Refresh now")
    def refresh_now(self, request, queryset):
        """Refresh the selected connections' tokens now (keep-alive, single-flight, forced)."""
        for connection_id, name in queryset.values_list("id", "name"):
            result = keepalive.refresh_connection(connection_id, force=True, actor=request.user)
            level = {
                keepalive.Outcome.REFRESHED: messages.SUCCESS,
                keepalive.Outcome.FAILED: messages.ERROR,
            }.get(result.outcome, messages.INFO)
            self.message_user(request, f"{name}: {result.outcome}: {result.message}", level)


@admin.register(ClientCredentials)
class ClientCredentialsAdmin(ViewOnlyAdmin):
    """View only. The refresh token belongs to the consumer key it was issued to, so a new key
    goes through Re-authorize, and a new secret through the connection's Edit page, which
    writes it under the row lock; a save here would be a full UPDATE of the row as read,
    putting back a secret changed in between. Without its app a connection can't refresh:
    delete or disconnect the connection instead."""

    list_display = ("connection", "consumer_key", "consumer_secret_status", "updated")
    list_select_related = ("connection",)
    search_fields = ("connection__name", "consumer_key")
    raw_id_fields = ("connection",)
    exclude = ("consumer_secret",)
    readonly_fields = ("consumer_secret_status",)

    @admin.display(description="consumer secret")
    def consumer_secret_status(self, obj) -> str:
        return _set_or_not(obj.pk and obj.consumer_secret)


@admin.register(TokenSet)
class TokenSetAdmin(ViewOnlyAdmin):
    """View only. A save would be a full UPDATE of the row as read, putting back a refresh
    token that a concurrent refresh rotated out (Salesforce then revokes the grant); only the
    keep-alive and the callback write tokens. Deleting tokens would skip revoking them at
    Salesforce: use Disconnect."""

    list_display = ("connection", "generation", "issued_at", "refreshed_at", "signature_verified")
    list_select_related = ("connection",)
    search_fields = ("connection__name", "connection__organization_id")
    exclude = ("access_token", "refresh_token")
    readonly_fields = (
        "connection",
        "instance_url",
        "scope",
        "issued_at",
        "signature_verified",
        "refresh_token_last_used_at",
        "refreshed_at",
        "generation",
        "created",
        "updated",
        "tokens_status",
    )

    @admin.display(description="tokens")
    def tokens_status(self, obj) -> str:
        return _set_or_not(obj.pk and obj.refresh_token)


@admin.register(AuthorizationRequest)
class AuthorizationRequestAdmin(admin.ModelAdmin):
    list_display = ("connection", "user", "created", "expires_at", "used_at")
    list_select_related = ("connection", "user")
    list_filter = ("used_at",)
    exclude = ("state", "code_verifier", "consumer_secret")
    readonly_fields = (
        "connection",
        "user",
        "redirect_uri",
        "consumer_key",
        "created",
        "expires_at",
        "used_at",
    )

    def has_add_permission(self, request) -> bool:
        return False
