"""The one way API views load a connection for the request's API key."""

import uuid

from connections.models import Connection

from .models import APIKey
from .problems import ConnectionNotFound

# The joined TokenSet's encrypted columns: deferred columns are neither read nor decrypted.
TOKEN_SECRETS = ("tokens__access_token", "tokens__refresh_token")


def get_connection_for_key(
    key: APIKey,
    connection_id: str,
    related: tuple[str, ...] = ("team",),
    *,
    with_access_token: bool = True,
) -> Connection:
    """The connection whose UUID ``code`` is ``connection_id``, if ``key`` may use it, with
    the ``related`` rows joined (``"tokens"``: its TokenSet). The refresh token is never read
    (the API never needs it), the access token only ``with_access_token``.

    Raises ConnectionNotFound (404) for a malformed ID, another team's connection and one
    outside the key's restriction alike, so a connection's existence never leaks."""
    try:
        code = uuid.UUID(str(connection_id))
    except ValueError:
        raise ConnectionNotFound() from None
    # No ORDER BY (Meta.ordering) on a unique lookup: it runs on every request.
    queryset = key.connection_queryset().select_related(*related).filter(code=code).order_by()
    if "tokens" in related:
        queryset = queryset.defer(*(TOKEN_SECRETS if not with_access_token else TOKEN_SECRETS[1:]))
    connection = next(iter(queryset[:1]), None)
    if connection is None:
        raise ConnectionNotFound()
    return connection
