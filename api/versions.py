"""The Salesforce REST API version to put in ``api_base_url``: the newest the org lists at
``GET /services/data/``, cached per connection for a day.
Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
"""

import logging

from django.core.cache import cache

from connections import salesforce
from connections.models import Connection

logger = logging.getLogger(__name__)

# Used until the org's own list could be read: every Salesforce org serves it (Spring '24).
FALLBACK_VERSION = "60.0"
CACHED_FOR = 24 * 3600  # seconds
RETRY_AFTER = 5 * 60  # seconds before asking again after a failure


def newest_version(body: object) -> str | None:
    """The highest ``version`` in a ``GET /services/data/`` answer, or None."""
    versions = []
    for item in body if isinstance(body, list) else []:
        try:
            versions.append((float(item["version"]), str(item["version"])))
        except (TypeError, KeyError, ValueError):
            continue
    return max(versions)[1] if versions else None


def api_version(connection: Connection, instance_url: str, access_token: str) -> str:
    """A REST API version the org supports, such as ``"65.0"``."""
    cache_key = f"api:sf-version:{connection.code}:{instance_url}"
    version = cache.get(cache_key)
    if version:
        return version
    try:
        version = newest_version(salesforce.api_probe(instance_url, access_token))
    except salesforce.SalesforceError as error:
        logger.info("Connection %s: API versions not read (%s)", connection.pk, error)
        version = None
    if version is None:
        cache.set(cache_key, FALLBACK_VERSION, RETRY_AFTER)
        return FALLBACK_VERSION
    cache.set(cache_key, version, CACHED_FOR)
    return version


def api_base_url(connection: Connection, instance_url: str, access_token: str) -> str:
    """``{instance_url}/services/data/vNN.0`` with a version the org supports."""
    return f"{instance_url}/services/data/v{api_version(connection, instance_url, access_token)}"
