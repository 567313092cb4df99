"""The one way API views load a connection for the request's API key."""

import uuid

from connections.models import Connection

from .models import APIKey
from .problems import ConnectionNotFound

# The joined TokenSet's encrypted columns: deferred columns are neither read nor decrypted.
TOKEN_SECRETS = ("tokens__access_token", "tokens__refresh_token")
# The columns a token request reads when its token is fresh (the freshness check, the
# IssuedToken, the answer). Selecting only these halves the lookup's cost (building the
# query for some 40 columns is most of it); any other column loads on first use, with a query
# of its own (error answers).
TOKEN_REQUEST_FIELDS = (
    "id",
    "code",
    "team_id",
    "provider",
    "status",
    "last_error_at",
    "organization_id",
    "user_id",
    "username",
    "tokens__id",
    "tokens__connection_id",
    "tokens__access_token",
    "tokens__instance_url",
    "tokens__issued_at",
    "tokens__expires_at",
    "tokens__updated",
    "tokens__generation",
)


def get_connection_for_key(
    key: APIKey,
    connection_id: str,
    related: tuple[str, ...] = ("team",),
    *,
    with_access_token: bool = True,
    fields: tuple[str, ...] | None = None,
) -> Connection:
    """The connection whose UUID ``code`` is ``connection_id``, if ``key`` may use it, with
    the ``related`` rows joined (``"tokens"``: its TokenSet). The refresh token is never read
    (the API never needs it), the access token only ``with_access_token``. ``fields``: read
    only these columns (``QuerySet.only``); the others load when first used.

    Raises ConnectionNotFound (404) for a malformed ID, another team's connection and one
    outside the key's restriction alike, so a connection's existence never leaks."""
    try:
        code = uuid.UUID(str(connection_id))
    except ValueError:
        raise ConnectionNotFound() from None
    # No ORDER BY (Meta.ordering) on a unique lookup: it runs on every request.
    queryset = key.connection_queryset().select_related(*related).filter(code=code).order_by()
    if fields is not None:
        queryset = queryset.only(*fields)
    elif "tokens" in related:
        queryset = queryset.defer(*(TOKEN_SECRETS if not with_access_token else TOKEN_SECRETS[1:]))
    connection = next(iter(queryset[:1]), None)
    if connection is None:
        raise ConnectionNotFound()
    return connection


def get_connection_for_token(key: APIKey, connection_id: str) -> Connection:
    """``get_connection_for_key`` for the token endpoints and the proxy: the connection with
    its TokenSet joined, only the TOKEN_REQUEST_FIELDS read. Raises ConnectionNotFound (404)."""
    return get_connection_for_key(key, connection_id, ("tokens",), fields=TOKEN_REQUEST_FIELDS)
