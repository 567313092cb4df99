"""The one way API views load a connection for the request's API key."""

import uuid

from connections.models import Connection

from .models import APIKey
from .problems import ConnectionNotFound


def get_connection_for_key(
    key: APIKey, connection_id: str, related: tuple[str, ...] = ("team",)
) -> Connection:
    """The connection whose UUID ``code`` is ``connection_id``, if ``key`` may use it, with
    the ``related`` rows joined (``"tokens"``: its TokenSet, for the token endpoints).

    Raises ConnectionNotFound (404) for a malformed ID, another team's connection and one
    outside the key's restriction alike, so a connection's existence never leaks."""
    try:
        code = uuid.UUID(str(connection_id))
    except ValueError:
        raise ConnectionNotFound() from None
    # No ORDER BY (Meta.ordering) on a unique lookup: it runs on every request.
    queryset = key.connection_queryset().select_related(*related).filter(code=code).order_by()
    if "tokens" in related:  # the API never needs the refresh token: not even decrypted
        queryset = queryset.defer("tokens__refresh_token")
    connection = next(iter(queryset[:1]), None)
    if connection is None:
        raise ConnectionNotFound()
    return connection
