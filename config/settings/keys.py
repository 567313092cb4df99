"""Where the two keys come from: the environment, or (development only) a file under var/."""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def required_key(env, name: str, why: str) -> str:
    """Return the environment variable ``name`` or raise ImproperlyConfigured naming it."""
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"Set the {name} environment variable: {why} "
            f"(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return value


def development_key(env, name: str, var_dir: Path) -> str:
    """Return ``name`` from the environment, else a random key generated once in ``var_dir``."""
    value = env(name, default="")
    if value:
        return value
    path = var_dir / name.lower()
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
