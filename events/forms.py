from collections import Counter

from django import forms

from .models import Event

# (value, value): the pages show the types as the API and webhooks spell them.
PUBLISHED_TYPES = [
    (value, value) for value in Event.Type.values if value != Event.Type.WEBHOOK_TEST
]


def connection_choices(team) -> list[tuple[str, str]]:
    """(code, label) of every connection the team's events are about, by name: a deleted one
    says "(deleted)", and same-named ones end with the start of their code to tell them apart."""
    rows = (
        Event.objects.filter(team=team, connection_code__isnull=False)
        .values_list("connection_code", "connection__name", "connection_name")
        .order_by()
        .distinct()
    )
    names: dict[str, tuple[str, bool]] = {}
    for code, live_name, recorded_name in rows:
        deleted = live_name is None
        if str(code) not in names or not deleted:
            names[str(code)] = (recorded_name if deleted else live_name, deleted)
    counts = Counter(name for name, _ in names.values())
    choices = []
    for code, (name, deleted) in names.items():
        label = f"{name} ({code[:8]})" if counts[name] > 1 else name
        choices.append((code, f"{label} (deleted)" if deleted else label))
    return sorted(choices, key=lambda choice: (choice[1].casefold(), choice[0]))


class ActivityFilterForm(forms.Form):
    """The activity log's filters: an event type and a connection (deleted ones too)."""

    type = forms.ChoiceField(required=False)
    connection = forms.ChoiceField(required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "All types"), *PUBLISHED_TYPES]
        self.fields["connection"].choices = [("", "All connections"), *connection_choices(team)]

    def filter(self, queryset):
        if self.cleaned_data.get("type"):
            queryset = queryset.filter(type=self.cleaned_data["type"])
        if self.cleaned_data.get("connection"):
            queryset = queryset.filter(connection_code=self.cleaned_data["connection"])
        return queryset
