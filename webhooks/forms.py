from django import forms

from events.forms import PUBLISHED_TYPES

from .destinations import RefusedDestination, check_destination


class EndpointForm(forms.Form):
    """A webhook endpoint's URL, its event types (none checked: all) and whether it's on."""

    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Orgkeeper POSTs each event here, signed (Standard Webhooks).",
    )
    event_types = forms.MultipleChoiceField(
        choices=PUBLISHED_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Event types",
        help_text="Leave all unchecked for every type, now and later.",
    )
    enabled = forms.BooleanField(required=False, initial=True)

    def clean_url(self) -> str:
        """The URL, if it may receive webhooks now (its host is resolved: the form refuses
        what every delivery would refuse)."""
        url = self.cleaned_data["url"]
        try:
            check_destination(url)
        except RefusedDestination as error:
            raise forms.ValidationError(str(error)) from error
        return url
