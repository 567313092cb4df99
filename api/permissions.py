"""Scope checks for API views: ``permission_classes = [requires_scope(APIKey.Scope.PROXY)]``."""

from functools import cache

from rest_framework.permissions import BasePermission

from .models import APIKey
from .problems import InsufficientScope


class HasAPIKey(BasePermission):
    """Any usable API key (the default): without one DRF answers 401 unauthenticated."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, APIKey)


@cache
def requires_scope(scope: str) -> type[BasePermission]:
    """A permission class admitting API keys that have ``scope``. Without a key DRF answers
    401 (unauthenticated); a key without the scope gets 403 insufficient_scope."""

    class HasScope(HasAPIKey):
        required_scope = scope

        def has_permission(self, request, view) -> bool:
            if not super().has_permission(request, view):
                return False
            if not request.auth.has_scope(scope):
                raise InsufficientScope(
                    f"This API key lacks the scope {scope}.", required_scope=scope
                )
            return True

    HasScope.__name__ = HasScope.__qualname__ = f"HasScope[{scope}]"
    return HasScope
