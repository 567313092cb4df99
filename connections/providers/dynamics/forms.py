"""The wizard's forms for Dynamics 365: step 1 (name and environment URL), step 2 (Sign in
with Microsoft: nothing to enter, the app is the operator's) and Edit."""

from django import forms

from accounts.submissions import SubmittedOnce

from ...models import Connection
from . import environments


def initial(connection: Connection) -> dict:
    """Step 1's values of an existing connection."""
    return {"name": connection.name, "environment_url": connection.instance_url}


class ConnectionForm(forms.Form):
    """Step 1: the connection's name and its environment URL (validated and normalised)."""

    name = forms.CharField(max_length=100, help_text="For example: Contoso sales.")
    environment_url = forms.CharField(
        label="Environment URL",
        max_length=200,
        help_text="Such as https://contoso.crm.dynamics.com (Power Apps > Settings > Session "
        "details: Instance url). A Web API URL works too.",
    )

    def clean_environment_url(self) -> str:
        return environments.normalize(self.cleaned_data["environment_url"])

    def apply(self, connection: Connection) -> None:
        connection.name = self.cleaned_data["name"]
        connection.instance_url = self.cleaned_data["environment_url"]


class NewConnectionForm(SubmittedOnce, ConnectionForm):
    """Step 1 for a new draft; a second POST of the same form finds the first's draft."""


class ConnectForm(SubmittedOnce, forms.Form):
    """Step 2's Sign in with Microsoft (also Re-authorize): no fields; refused while the
    operator's app isn't configured."""

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        kwargs.pop("initial", None)
        super().__init__(*args, **kwargs)

    def clean(self):
        if not environments.configured():
            raise forms.ValidationError(
                "Orgkeeper's Microsoft Entra app isn't configured: the operator sets "
                "DYNAMICS_CLIENT_ID and DYNAMICS_CLIENT_SECRET first."
            )
        return super().clean()


class EditForm(forms.Form):
    """The name; the environment changes through a new connection (its tokens are its)."""

    name = forms.CharField(max_length=100)

    def __init__(self, *args, connection: Connection, **kwargs):
        super().__init__(*args, **kwargs)

    def changed_labels(self) -> str:
        return "Name" if "name" in self.changed_data else ""

    def apply(self, connection: Connection) -> None:
        connection.name = self.cleaned_data["name"]


def clean_login_url(form: forms.BaseForm, data: dict) -> dict:
    """The Connection admin's check (see the Salesforce provider's): nothing to check."""
    return data
