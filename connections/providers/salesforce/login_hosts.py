"""Which Salesforce login URL a connection uses, and validation of My Domain URLs.

Hosts: https://login.salesforce.com (production), https://test.salesforce.com (sandbox), or
the org's My Domain, https://<name>.my.salesforce.com and
https://<name>--<sandbox>.sandbox.my.salesforce.com.
Source: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_endpoints.htm
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

PRODUCTION_LOGIN_URL = "https://login.salesforce.com"
SANDBOX_LOGIN_URL = "https://test.salesforce.com"
# The values of Connection.environment for Salesforce, and their labels.
PRODUCTION, SANDBOX, MY_DOMAIN = "production", "sandbox", "my_domain"
ENVIRONMENTS = {PRODUCTION: "Production", SANDBOX: "Sandbox", MY_DOMAIN: "My Domain"}

# <name>.my.salesforce.com, plus the edition sub-domains Salesforce uses for My Domain:
# <name>--<sandbox>.sandbox, <name>.develop (Developer Edition), .scratch, .trailblaze, .demo.
_MY_DOMAIN_HOST = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"
    r"(?:\.(?:sandbox|develop|scratch|trailblaze|demo|patch|free))?"
    r"\.my\.salesforce\.com$"
)
_is_url = URLValidator(schemes=["http"])
_LIGHTNING_HOST = re.compile(r"^(?P<name>[a-z0-9-]+)(?P<kind>\.[a-z]+)?\.lightning\.force\.com$")


def normalize_my_domain_url(value: str) -> str:
    """Return ``scheme://host[:port]`` of a My Domain login URL, or raise ValidationError
    with a message an admin can act on. ``http://`` is accepted only while
    ``settings.ALLOW_INSECURE_LOGIN_HOSTS`` is on (the local Salesforce emulator)."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(
            "Enter your org's My Domain URL, such as https://acme.my.salesforce.com."
        )
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise ValidationError("That is not a valid URL.") from error
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise ValidationError("That is not a valid URL.")
    lightning = _LIGHTNING_HOST.match(host)
    if lightning:
        suggestion = f"https://{lightning['name']}{lightning['kind'] or ''}.my.salesforce.com"
        raise ValidationError(
            f"{host} is the Lightning address, which can't be used to sign in. Use the My Domain "
            f"login URL instead, such as {suggestion} (Setup > My Domain shows it)."
        )
    if parts.scheme == "http":
        if not settings.ALLOW_INSECURE_LOGIN_HOSTS:
            raise ValidationError("Salesforce login URLs must use https://.")
        bracketed = f"[{host}]" if ":" in host else host  # IPv6
        url = f"http://{bracketed}{f':{port}' if port else ''}"
        try:
            _is_url(url)
        except ValidationError as error:
            raise ValidationError("That is not a valid URL.") from error
        return url
    if parts.scheme != "https":
        raise ValidationError("Salesforce login URLs must use https://.")
    if not _MY_DOMAIN_HOST.match(host):
        raise ValidationError(
            f"{host} is not a My Domain login URL. It looks like https://<name>.my.salesforce.com, "
            "or https://<name>--<sandbox>.sandbox.my.salesforce.com for a sandbox."
        )
    return f"https://{host}{f':{port}' if port and port != 443 else ''}"


def login_url_for(environment: str, my_domain_url: str = "") -> str:
    """The login URL of an environment; My Domain URLs are validated by the form."""
    if environment == SANDBOX:
        return SANDBOX_LOGIN_URL
    if environment == MY_DOMAIN:
        return my_domain_url.rstrip("/")
    return PRODUCTION_LOGIN_URL
