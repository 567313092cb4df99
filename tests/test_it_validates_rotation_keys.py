"""CRYPTOGRAPHY_OLD_KEYS and SECRET_KEY_FALLBACKS: comma-separated, never the current key."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.keys import old_keys
from tests.test_it_configures_production import STRONG_KEY, manage


def env_with(monkeypatch, value: str | None) -> environ.Env:
    if value is None:
        monkeypatch.delenv("CRYPTOGRAPHY_OLD_KEYS", raising=False)
    else:
        monkeypatch.setenv("CRYPTOGRAPHY_OLD_KEYS", value)
    return environ.Env()


def test_it_defaults_to_no_old_keys(monkeypatch):
    assert old_keys(env_with(monkeypatch, None), "current") == []


def test_it_reads_a_comma_separated_list(monkeypatch):
    assert old_keys(env_with(monkeypatch, "key-b, key-a"), "current") == ["key-b", "key-a"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("key-a,current", "contains the current CRYPTOGRAPHY_KEY"),
        ("key-a,key-a", "lists the same key twice"),
        ("key-a, ,key-b", "has an empty entry"),
    ],
)
def test_it_refuses_bad_lists(monkeypatch, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        old_keys(env_with(monkeypatch, value), "current")


def test_production_refuses_the_current_key_among_the_old_ones():
    result = manage(
        "check",
        SECRET_KEY=STRONG_KEY,
        CRYPTOGRAPHY_KEY=STRONG_KEY + "2",
        CRYPTOGRAPHY_OLD_KEYS=f"old-key-0123456789,{STRONG_KEY}2",
    )
    assert result.returncode != 0
    assert "CRYPTOGRAPHY_OLD_KEYS contains the current CRYPTOGRAPHY_KEY" in result.stderr
    assert STRONG_KEY not in result.stderr  # the message names the variable, not the key
