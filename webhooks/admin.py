"""Superuser admin for webhooks: signing secrets are never shown, only "set"."""

from django.contrib import admin

from .models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "team", "enabled", "failing_since", "created")
    list_filter = ("enabled",)
    list_select_related = ("team",)
    search_fields = ("url", "team__name")
    fields = ("team", "url", "event_types", "enabled", "disabled_reason", "failing_since",
              "secret_state", "created_by", "created")  # fmt: skip
    readonly_fields = ("team", "url", "secret_state", "created_by", "created", "failing_since")

    @admin.display(description="signing secret")
    def secret_state(self, endpoint: Endpoint) -> str:
        return "set" if endpoint.secret else "not set"

    def has_add_permission(self, request) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("created", "status_code", "duration_ms", "error", "response_body")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "endpoint", "status", "failures", "next_attempt_at", "created")
    list_filter = ("status", "event_type")
    list_select_related = ("endpoint",)
    raw_id_fields = ("endpoint", "event")
    readonly_fields = ("message_id", "event_type", "payload", "created")
    inlines = [AttemptInline]

    def has_add_permission(self, request) -> bool:
        return False
