"""The two wizard steps ("Set up Salesforce External Client App", "Enter External Client App
Credentials") and the edit form."""

import re

from django import forms

from accounts.submissions import SubmittedOnce

from .login_hosts import (
    MY_DOMAIN,
    PRODUCTION,
    PRODUCTION_LOGIN_URL,
    SANDBOX,
    SANDBOX_LOGIN_URL,
    normalize_my_domain_url,
)

ENVIRONMENT_CHOICES = [
    (PRODUCTION, f"Production ({PRODUCTION_LOGIN_URL})"),
    (SANDBOX, f"Sandbox ({SANDBOX_LOGIN_URL})"),
    (MY_DOMAIN, "My Domain (your org's own login URL)"),
]

# Consumer keys look like "3MVG9...": letters, digits, dots and underscores, about 85 long.
_CONSUMER_KEY = re.compile(r"^[A-Za-z0-9._]{20,255}$")


def initial(connection) -> dict:
    """Step 1's values of an existing connection (step 2's Back, Edit)."""
    return {
        "name": connection.name,
        "environment": connection.environment,
        "my_domain_url": connection.my_domain_url,
    }


class ConnectionForm(forms.Form):
    """Step 1: what to call the connection and where its org signs in."""

    name = forms.CharField(max_length=100, help_text="For example: Acme production.")
    environment = forms.ChoiceField(
        choices=ENVIRONMENT_CHOICES,
        widget=forms.RadioSelect,
        initial=PRODUCTION,
    )
    my_domain_url = forms.CharField(
        label="My Domain URL",
        required=False,
        max_length=200,
        help_text="Only for My Domain, such as https://acme.my.salesforce.com "
        "(Salesforce Setup > My Domain).",
    )

    def clean(self):
        return clean_login_url(self, super().clean())

    def apply(self, connection) -> None:
        connection.name = self.cleaned_data["name"]
        connection.environment = self.cleaned_data["environment"]
        connection.my_domain_url = self.cleaned_data["my_domain_url"]


def clean_login_url(form: forms.BaseForm, data: dict) -> dict:
    """Step 1's rule for a form's ``environment`` and ``my_domain_url`` (also the Connection
    admin's): a My Domain URL must be one ``normalize_my_domain_url`` accepts, and is stored
    normalized; other environments store none. Returns ``data`` (the cleaned data)."""
    if data.get("environment") == MY_DOMAIN:
        if form.has_error("my_domain_url"):
            return data  # the field's own validation said why already
        try:
            data["my_domain_url"] = normalize_my_domain_url(data.get("my_domain_url", ""))
        except forms.ValidationError as error:
            form.add_error("my_domain_url", error)
    else:
        data["my_domain_url"] = ""
    return data


class CredentialsForm(forms.Form):
    """Step 2 (and the credentials part of Edit): the External Client App's consumer key and
    secret. A secret already stored is never rendered back; leaving the field empty keeps
    it."""

    consumer_key = forms.CharField(label="Consumer Key (Client ID)", max_length=255)
    consumer_secret = forms.CharField(
        label="Consumer Secret (Client Secret)",
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_secret:
            field = self.fields["consumer_secret"]
            field.required = False
            field.help_text = "Set — leave empty to keep."

    def clean_consumer_key(self) -> str:
        key = self.cleaned_data["consumer_key"].strip()
        if not _CONSUMER_KEY.match(key):
            raise forms.ValidationError(
                "That doesn't look like a Consumer Key: it is a long run of letters, digits, "
                "dots and underscores, usually starting with 3MVG. Copy it again from the "
                "app's Settings > OAuth Settings > Consumer Key and Secret (step 7)."
            )
        return key

    def clean_consumer_secret(self) -> str:
        secret = self.cleaned_data["consumer_secret"].strip()
        if secret and any(char.isspace() for char in secret):
            raise forms.ValidationError(
                "The Consumer Secret has no spaces. Copy it again (step 7)."
            )
        return secret

    def apply(self, connection) -> None:
        """Create or update the connection's client credentials."""
        connection.set_credentials(
            self.cleaned_data["consumer_key"], self.cleaned_data["consumer_secret"]
        )


class NewConnectionForm(SubmittedOnce, ConnectionForm):
    """Step 1 for a new draft; a second POST of the same form finds the first's draft."""


class ConnectForm(SubmittedOnce, CredentialsForm):
    """Step 2's Connect; a second POST of the same form reuses the first's sign-in flow."""


class EditForm(ConnectionForm, CredentialsForm):
    """Name and credentials (once step 2 saved them; the secret is optional); the
    environment and the consumer key only while the connection holds no tokens."""

    field_order = ["name", "environment", "my_domain_url", "consumer_key", "consumer_secret"]

    def __init__(self, *args, connection, **kwargs):
        super().__init__(*args, has_secret=True, **kwargs)
        self.has_credentials = connection.has_credentials
        self.can_change_environment = not connection.has_tokens
        if not self.has_credentials:
            del self.fields["consumer_key"]
            del self.fields["consumer_secret"]
        if not self.can_change_environment:
            del self.fields["environment"]
            del self.fields["my_domain_url"]
            if self.has_credentials:
                # The tokens belong to the current key's app: another key means a new
                # sign-in, which step 2 (Re-authorize) does, saving the key only on success.
                key = self.fields["consumer_key"]
                key.disabled = True
                key.help_text = (
                    "To use another External Client App, click Re-authorize and enter its "
                    "Consumer Key there; it replaces this one once the sign-in succeeds."
                )

    def clean(self):
        if not self.can_change_environment:
            return forms.Form.clean(self)
        return super().clean()

    def changed_labels(self) -> str:
        """The fields the POST changes, for the history: "Name and Consumer Secret"."""
        labels = [
            self[name].label.split(" (")[0]
            for name in self.changed_data
            if not self.fields[name].disabled
        ]
        return " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)

    def apply(self, connection) -> None:
        connection.name = self.cleaned_data["name"]
        if self.can_change_environment:
            connection.environment = self.cleaned_data["environment"]
            connection.my_domain_url = self.cleaned_data["my_domain_url"]
        if self.has_credentials:
            CredentialsForm.apply(self, connection)
