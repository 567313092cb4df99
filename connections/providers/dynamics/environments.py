"""Dataverse environment URLs: validation and normalisation, and the Microsoft Entra ID
authority and Global Discovery URLs from settings.

Environment hosts are ``<org>.crm[N].dynamics.com`` (the regional ``crmN`` hosts), and in the
sovereign clouds ``<org>.crm.microsoftdynamics.us`` (GCC High), ``<org>.crm.appsplatform.us``
(DoD) and ``<org>.crm.dynamics.cn`` (China). The Web API lives on ``<org>.api.crm[N]...`` under
``/api/data/v9.2``. Sources:
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/discovery-service,
https://learn.microsoft.com/en-us/power-platform/admin/new-datacenter-regions,
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/view-download-developer-resources
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

# The environment host's domain, by cloud: the Web API host adds "api." before "crm".
_DOMAIN = (
    r"crm\d{0,2}\.dynamics\.com|crm\.microsoftdynamics\.us|crm\.appsplatform\.us|crm\.dynamics\.cn"
)
_HOST = re.compile(
    rf"^(?P<org>[a-z0-9](?:[a-z0-9-]{{0,62}}[a-z0-9])?)\.(?P<api>api\.)?(?P<domain>{_DOMAIN})$"
)
_WEB_API_PATH = re.compile(r"^/api/data(/.*)?$", re.IGNORECASE)
_MAKER_HOSTS = (
    "make.powerapps.com",
    "make.preview.powerapps.com",
    "admin.powerplatform.microsoft.com",
)
_WHERE = (
    "Use the environment URL, such as https://contoso.crm.dynamics.com: in Power Apps "
    "(make.powerapps.com), choose the environment, then Settings (the gear) > Session details "
    "shows it as Instance url; Settings > Developer resources shows the Web API endpoint, "
    "which works too."
)

# Global Discovery per Microsoft authority; any other authority (the emulator) serves it at
# {authority}/globaldisco. https://learn.microsoft.com/en-us/power-apps/developer/data-platform/discovery-service
_DISCOVERY = {
    "login.microsoftonline.com": "https://globaldisco.crm.dynamics.com",
    "login.microsoftonline.us": "https://globaldisco.crm.microsoftdynamics.us",
    "login.chinacloudapi.cn": "https://globaldisco.crm.dynamics.cn",
    "login.partner.microsoftonline.cn": "https://globaldisco.crm.dynamics.cn",
}


def configured() -> bool:
    """Whether the operator's app is set (DYNAMICS_CLIENT_ID and DYNAMICS_CLIENT_SECRET)."""
    return bool(settings.DYNAMICS_CLIENT_ID and settings.DYNAMICS_CLIENT_SECRET)


def authority() -> str:
    """DYNAMICS_AUTHORITY without a trailing slash."""
    return settings.DYNAMICS_AUTHORITY.rstrip("/")


def discovery_url() -> str:
    """The Global Discovery Service's URL: DYNAMICS_DISCOVERY_URL, else derived from the
    authority."""
    if settings.DYNAMICS_DISCOVERY_URL:
        return settings.DYNAMICS_DISCOVERY_URL.rstrip("/")
    host = (urlsplit(authority()).hostname or "").lower()
    return _DISCOVERY.get(host, f"{authority()}/globaldisco")


def _allowed_prefix(raw: str) -> str | None:
    """``raw`` normalised when it starts with one of DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES
    followed by one path segment (lower-cased, as a host name is; optionally a Web API path),
    else None."""
    for prefix in settings.DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES:
        prefix = prefix.rstrip("/") + "/"
        if raw.lower().startswith(prefix.lower()):
            name, _, rest = raw[len(prefix) :].partition("/")
            if not re.fullmatch(r"[A-Za-z0-9-]+", name):
                raise ValidationError(f"After {prefix} comes the environment's name.")
            if rest and not _WEB_API_PATH.match("/" + rest.split("?")[0].rstrip("/")):
                raise ValidationError(_WHERE)
            return prefix + name.lower()
    return None


def normalize(value: str) -> str:
    """The environment URL ``https://<org>.crm[N].<cloud domain>`` of what an admin pasted
    (an environment URL, or its Web API URL ``…api.crm…/api/data/v9.2``), or raise
    ValidationError saying where to find the right one."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(
            "Enter the environment URL, such as https://contoso.crm.dynamics.com."
        )
    allowed = _allowed_prefix(raw)
    if allowed is not None:
        return allowed
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValidationError("That is not a valid URL.") from None
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise ValidationError("That is not a valid URL.")
    if host in _MAKER_HOSTS or host.endswith(".powerapps.com"):
        raise ValidationError(f"{host} is the Power Apps portal, not an environment. {_WHERE}")
    if parts.scheme != "https" or port not in (None, 443):
        raise ValidationError("Environment URLs use https:// without a port.")
    found = _HOST.match(host)
    if found is None:
        raise ValidationError(f"{host} is not a Dataverse environment host. {_WHERE}")
    url = f"https://{found['org']}.{found['domain']}"
    path = parts.path.rstrip("/")
    if path and not _WEB_API_PATH.match(path):
        raise ValidationError(
            f"That is a page of an app ({parts.path}), not the environment URL: use {url} "
            "(the address without the page and its parameters)."
        )
    if parts.query and not path:
        raise ValidationError(f"Use the environment URL without parameters: {url}")
    return url
