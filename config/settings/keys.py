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


def old_keys(
    env, current: str, name: str = "CRYPTOGRAPHY_OLD_KEYS", current_name: str = ""
) -> list[str]:
    """The comma-separated ``name``: previous keys that stay readable while ``current`` (the
    value of ``current_name``) replaces them. ImproperlyConfigured when it lists the current
    key, an empty entry or a key twice."""
    current_name = current_name or "CRYPTOGRAPHY_KEY"
    keys = [key.strip() for key in env.list(name, default=[])]
    if "" in keys:
        raise ImproperlyConfigured(
            f"{name} has an empty entry: list the old keys separated by commas, without spaces "
            "or a trailing comma."
        )
    if current in keys:
        raise ImproperlyConfigured(
            f"{name} contains the current {current_name}. During a rotation, {current_name} "
            f"is the new key and {name} lists only the previous ones."
        )
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"{name} lists the same key twice.")
    return keys
