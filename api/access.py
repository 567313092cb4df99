"""The one way API views load a connection for the request's API key."""

import uuid

from connections.models import Connection

from .models import APIKey
from .problems import ConnectionNotFound


def get_connection_for_key(key: APIKey, connection_id: str) -> Connection:
    """The connection whose UUID ``code`` is ``connection_id``, if ``key`` may use it.

    Raises ConnectionNotFound (404) for a malformed ID, another team's connection and one
    outside the key's restriction alike, so a connection's existence never leaks."""
    try:
        code = uuid.UUID(str(connection_id))
    except ValueError:
        raise ConnectionNotFound() from None
    connection = key.connection_queryset().select_related("team").filter(code=code).first()
    if connection is None:
        raise ConnectionNotFound()
    return connection
