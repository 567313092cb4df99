"""The registry of providers: which Provider (connections.providers.base) serves a connection.

A provider is a package exposing ``provider``, an object that follows the Provider protocol.
Every package in this folder is one (``connections/providers/<name>/``), and so is each
package listed in the optional ``CONNECTION_PROVIDERS`` setting (dotted paths, for providers
that live elsewhere, such as a test's). Adding a provider never edits the core.
"""

import pkgutil
from functools import cache
from importlib import import_module

from django.conf import settings
from django.core.signals import setting_changed

from .base import Provider


@cache
def _registry() -> dict[str, Provider]:
    packages = [
        f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__) if module.ispkg
    ]
    packages += list(getattr(settings, "CONNECTION_PROVIDERS", ()))
    found: dict[str, Provider] = {}
    for package in packages:
        provider = import_module(package).provider
        if provider.name in found:
            raise ValueError(f"Two providers are named {provider.name!r} ({package}).")
        found[provider.name] = provider
    return found


def _forget(setting: str, **kwargs) -> None:
    if setting == "CONNECTION_PROVIDERS":
        _registry.cache_clear()


setting_changed.connect(_forget)


def get(name: str) -> Provider:
    """The provider named ``name`` (a ``Connection.provider`` value). Raises LookupError."""
    try:
        return _registry()[name]
    except KeyError:
        raise LookupError(f"No provider is named {name!r}.") from None


def for_connection(connection) -> Provider:
    """The provider of ``connection`` (anything with a ``provider`` name). Raises
    LookupError when no provider has that name."""
    return get(connection.provider)


def every() -> list[Provider]:
    """Every registered provider."""
    return list(_registry().values())


def idle_ttl(provider: Provider) -> int:
    """Seconds ``provider``'s refresh tokens live unused: its policy, or the
    REFRESH_TOKEN_IDLE_TTL setting when the policy leaves it to the setting (None)."""
    return provider.policies.refresh_token_idle_ttl or settings.REFRESH_TOKEN_IDLE_TTL


def environment_choices() -> list[tuple[str, str]]:
    """``(value, label)`` of every provider's ``Connection.environment`` values (the API
    schema's enum, the admin's choices), sorted by value."""
    found = {
        value: label for p in _registry().values() for value, label in p.environment_labels.items()
    }
    return sorted(found.items())


def choices() -> list[tuple[str, str]]:
    """``(name, label)`` of every provider, for ``Connection.provider``'s choices (a callable,
    so that a new provider needs no migration)."""
    return sorted((provider.name, provider.label) for provider in _registry().values())
