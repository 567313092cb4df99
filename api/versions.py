"""The Salesforce REST API version to put in ``api_base_url``: the newest the org lists at
``GET /services/data/``, cached per connection for a day.
Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
"""

import logging
import time

from django.core.cache import cache

from connections import providers
from connections.models import Connection
from connections.providers.base import ProviderError
from connections.providers.salesforce import client as salesforce

logger = logging.getLogger(__name__)

# Used until the org's own list could be read: every Salesforce org serves it (Spring '24).
FALLBACK_VERSION = "60.0"
CACHED_FOR = 24 * 3600  # seconds
RETRY_AFTER = 5 * 60  # seconds before asking again after a failure
# Each process also remembers a version this long, saving a cache round trip per request.
REMEMBERED_FOR = 60  # seconds
_remembered: dict[str, tuple[str, float]] = {}


def newest_version(body: object) -> str | None:
    """The highest ``version`` in a ``GET /services/data/`` answer, or None."""
    numbered = []
    for version in salesforce.api_versions(body):
        try:
            numbered.append((float(version), version))
        except ValueError:
            continue
    return max(numbered)[1] if numbered else None


def api_version(connection: Connection, instance_url: str, access_token: str) -> str:
    """A REST API version the org supports, such as ``"65.0"``."""
    cache_key = f"api:sf-version:{connection.code}:{instance_url}"
    version, until = _remembered.get(cache_key, ("", 0.0))
    if version and time.monotonic() < until:
        return version
    version = cache.get(cache_key) or _ask(connection, cache_key, instance_url, access_token)
    _remembered[cache_key] = (version, time.monotonic() + REMEMBERED_FOR)
    return version


def _ask(connection: Connection, cache_key: str, instance_url: str, access_token: str) -> str:
    """Read the org's versions and cache the newest (on failure, the fallback, briefly)."""
    try:
        version = newest_version(salesforce.api_probe(instance_url, access_token))
    except ProviderError as error:
        logger.info("Connection %s: API versions not read (%s)", connection.pk, error)
        version = None
    if version is None:
        cache.set(cache_key, FALLBACK_VERSION, RETRY_AFTER)
        return FALLBACK_VERSION
    cache.set(cache_key, version, CACHED_FOR)
    return version


def api_base_url(connection: Connection, instance_url: str, access_token: str) -> str:
    """The provider's fixed REST base when it has one (``Provider.api_base_url``, such as
    Dataverse's ``{environment URL}/api/data/v9.2``), else
    ``{instance_url}/services/data/vNN.0`` with a version the org supports."""
    fixed = getattr(providers.for_connection(connection), "api_base_url", None)
    if fixed is not None:
        return fixed(instance_url)
    return f"{instance_url}/services/data/v{api_version(connection, instance_url, access_token)}"
