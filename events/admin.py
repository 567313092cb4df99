"""The superuser's read-only view of the event stream."""

from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created", "team", "connection_name", "kind", "type", "actor", "message")
    list_filter = ("type", "kind", "team")
    list_select_related = ("team", "actor")
    search_fields = ("team__name", "connection_name", "message")
    date_hierarchy = "created"
    exclude = ("actor_key",)
    readonly_fields = ("connection",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # the team's audit trail
        return False
