from datetime import UTC, datetime, time

from django import forms
from django.utils import timezone

from accounts.submissions import SubmittedOnce

from .models import APIKey


class APIKeyForm(SubmittedOnce):
    """Create a team API key. The team and creator are set by the view."""

    name = forms.CharField(
        max_length=100, help_text="What uses the key, such as 'Nightly ETL' or 'Billing service'."
    )
    scopes = forms.MultipleChoiceField(
        choices=APIKey.Scope.choices,
        initial=list(APIKey.DEFAULT_SCOPES),
        widget=forms.CheckboxSelectMultiple,
    )
    connections = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unchecked for every connection of the team, now and later.",
        label="Only these connections",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on (optional)",
        help_text="The key stops working at 00:00 UTC on this day. Leave empty for no expiry.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connections"].queryset = team.connections.order_by("name", "pk")

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.now().date():
            raise forms.ValidationError("Choose a day after today.")
        return day

    @property
    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        return datetime.combine(day, time.min, tzinfo=UTC) if day else None
