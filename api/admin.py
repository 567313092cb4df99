from django.contrib import admin, messages

from .models import APIKey


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys by identifier; the key itself is never stored, and its digest isn't shown."""

    list_display = [
        "identifier",
        "name",
        "team",
        "created_by",
        "created",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["team", "created_by"]
    list_filter = ["revoked_at"]
    search_fields = ["identifier", "name", "team__name", "team__slug"]
    fields = [
        "identifier",
        "name",
        "team",
        "scopes",
        "restricted",
        "connections",
        "created_by",
        "created",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:  # keys are created on the team's page
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset) -> None:
        revoked = sum(key.revoke(request.user) for key in queryset.select_related("team"))
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)
