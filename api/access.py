"""The one way API views load a connection for the request's API key."""

import uuid

from connections import rows
from connections.models import Connection, TokenSet

from .models import APIKey
from .problems import ConnectionNotFound

# The joined TokenSet's encrypted columns: deferred columns are neither read nor decrypted.
TOKEN_SECRETS = ("tokens__access_token", "tokens__refresh_token")
# The columns a token request reads when its token is fresh (the freshness check, the
# IssuedToken, the answer); any other column loads on first use, with a query of its own
# (error answers).
TOKEN_REQUEST_CONNECTION_FIELDS = (
    "code",
    "team",
    "provider",
    "status",
    "last_error_at",
    "organization_id",
    "user_id",
    "username",
)
TOKEN_REQUEST_TOKEN_FIELDS = (
    "connection",
    "access_token",
    "instance_url",
    "issued_at",
    "expires_at",
    "updated",
    "generation",
)


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
    # No ORDER BY (Meta.ordering) on a unique lookup: it runs on every request.
    queryset = (
        key.connection_queryset()
        .select_related(*related)
        .filter(code=_code(connection_id))
        .order_by()
    )
    if "tokens" in related:
        queryset = queryset.defer(*(TOKEN_SECRETS if not with_access_token else TOKEN_SECRETS[1:]))
    connection = next(iter(queryset[:1]), None)
    if connection is None:
        raise ConnectionNotFound()
    return connection


def _code(connection_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(connection_id))
    except ValueError:
        raise ConnectionNotFound() from None


# Every token request and proxied call runs this lookup: precompiled (connections.rows),
# it costs a third of what the ORM spends building it on each call (benchmarks/RESULTS.md).
_TOKEN_PARTS = (
    rows.Part(Connection, "c", TOKEN_REQUEST_CONNECTION_FIELDS),
    rows.Part(TokenSet, "t", TOKEN_REQUEST_TOKEN_FIELDS),
)
_TEAM_CONNECTION = (
    "FROM {c} AS c LEFT OUTER JOIN {t} AS t ON t.connection_id = c.id"
    " WHERE c.code = %s AND c.team_id = %s"
)
_ALLOWED_TO_KEY = "AND c.id IN (SELECT m.connection_id FROM {m} AS m WHERE m.apikey_id = %s)"
_CONNECTION_FOR_TOKEN = rows.Select(_TOKEN_PARTS, _TEAM_CONNECTION)
_RESTRICTED_CONNECTION_FOR_TOKEN = rows.Select(
    _TOKEN_PARTS,
    " ".join((_TEAM_CONNECTION, _ALLOWED_TO_KEY)),
    tables={"m": APIKey.connections.through},
)


def get_connection_for_token(key: APIKey, connection_id: str) -> Connection:
    """What ``get_connection_for_key`` finds, for the token endpoints and the proxy: the
    connection with its TokenSet (if it has one), only the TOKEN_REQUEST_*_FIELDS read.
    Raises ConnectionNotFound (404) as ``get_connection_for_key`` does."""
    params = [rows.db_value(Connection, "code", _code(connection_id)), key.team_id]
    if key.restricted:
        found = _RESTRICTED_CONNECTION_FOR_TOKEN.first([*params, key.pk])
    else:
        found = _CONNECTION_FOR_TOKEN.first(params)
    if found is None:
        raise ConnectionNotFound()
    connection, tokens = found
    rows.attach(connection, "tokens", tokens)
    return connection
