from django import forms

from .models import Event

# (value, value): the pages show the types as the API and webhooks spell them.
PUBLISHED_TYPES = [
    (value, value) for value in Event.Type.values if value != Event.Type.WEBHOOK_TEST
]


class ActivityFilterForm(forms.Form):
    """The activity log's filters: an event type and a connection (deleted ones too)."""

    type = forms.ChoiceField(required=False)
    connection = forms.ChoiceField(required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "All types"), *PUBLISHED_TYPES]
        connections = (
            Event.objects.filter(team=team, connection_code__isnull=False)
            .order_by("connection_name", "connection_code")
            .values_list("connection_code", "connection_name")
            .distinct()
        )
        self.fields["connection"].choices = [
            ("", "All connections"),
            *((str(code), name) for code, name in connections),
        ]

    def filter(self, queryset):
        if self.cleaned_data.get("type"):
            queryset = queryset.filter(type=self.cleaned_data["type"])
        if self.cleaned_data.get("connection"):
            queryset = queryset.filter(connection_code=self.cleaned_data["connection"])
        return queryset
