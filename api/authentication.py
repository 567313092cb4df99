"""Bearer authentication with a team API key (``Authorization: Bearer okk_…``).

The API accepts nothing else: no session cookie, so no request can ride on a signed-in
browser and there is no CSRF surface."""

from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import APIKey
from .problems import Unauthenticated

SCHEME = "Bearer"


class APIKeyAuthentication(BaseAuthentication):
    """Sets ``request.auth`` to the APIKey (``request.user`` stays anonymous). A missing
    header leaves the request unauthenticated (401 from the permission check); a malformed,
    unknown, revoked or expired key raises ``Unauthenticated`` (401)."""

    def authenticate(self, request) -> tuple[AnonymousUser, APIKey] | None:
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].decode("latin-1").lower() != SCHEME.lower() or len(parts) != 2:
            raise Unauthenticated("Send the API key as 'Authorization: Bearer okk_…'.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise Unauthenticated("This API key is not valid.") from None
        key = APIKey.from_raw(raw)
        if key is None:
            raise Unauthenticated("This API key is wrong, revoked or expired.")
        key.touch()
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return f'{SCHEME} realm="orgkeeper"'
