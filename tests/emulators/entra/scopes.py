"""Scope strings: one Dataverse resource (`{resource}/user_impersonation` or `/.default`) plus the
OpenID Connect scopes. https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc
"""

from __future__ import annotations

from . import errors
from .models import OIDC_SCOPES, PERMISSIONS
from .store import Store


def parse(store: Store, scope: str | None, tenant_label: str) -> tuple[str, tuple[str, ...]]:
    """Return (resource URI without a trailing slash, OIDC scopes in request order).

    Raises EntraError: missing scope (900144), an unknown permission or no Dataverse resource
    (70011), more than one resource (28000), a resource the emulator doesn't serve (500011).
    """
    if not scope or not scope.strip():
        raise errors.missing_parameter("scope")
    resources: list[str] = []
    oidc: list[str] = []
    for item in scope.split():
        if item in OIDC_SCOPES:
            oidc.append(item)
            continue
        if not item.startswith(("http://", "https://")) or "/" not in item.split("://", 1)[1]:
            raise errors.invalid_scope(item)
        resource, permission = item.rsplit("/", 1)
        if permission not in PERMISSIONS:
            raise errors.invalid_scope(item)
        resource = resource.rstrip("/")  # `https://x.crm.dynamics.com//user_impersonation` too
        if resource not in resources:
            resources.append(resource)
    if not resources:
        raise errors.invalid_scope(f"{scope} (no Dataverse resource: this emulator has no Graph)")
    if len(resources) > 1:
        raise errors.several_resources()
    if store.resolve_resource(resources[0]) is None:
        raise errors.resource_not_found(resources[0], tenant_label)
    return resources[0], tuple(dict.fromkeys(oidc))


def granted(resource: str) -> str:
    """The `scope` a token response reports: the delegated permission, whatever was asked."""
    return f"{resource}/user_impersonation"
