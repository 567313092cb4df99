"""connections.encryption: the library's on-disk format, old keys readable, the current key
used for writing, unreadable values reported with no secret in the message."""

import pickle

import pytest
from django.db import connection as db
from django.test import override_settings
from django_cryptography.core.signing import FernetSigner
from django_cryptography.fields import encrypt as library_encrypt
from django_cryptography.utils.crypto import FernetBytes

from connections import encryption
from connections.models import ClientCredentials, TokenSet
from tests.connections.helpers import make_connection

pytestmark = pytest.mark.django_db

KEY_A, KEY_B = "rotation-test-key-A", "rotation-test-key-B"
FIELD = encryption.encrypt(TokenSet._meta.get_field("refresh_token").base_class())


def raw_column(model, pk, column: str) -> bytes:
    with db.cursor() as cursor:
        table = model._meta.db_table
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def test_it_writes_what_django_cryptography_reads(team):
    connection = make_connection(team, refresh_token="RT-canary")
    stored = raw_column(TokenSet, connection.tokens.pk, "refresh_token")

    # The library's own FernetBytes, with the key its AppConf derived at startup.
    assert pickle.loads(FernetBytes().decrypt(stored)) == "RT-canary"  # noqa: S301
    # And the library's field class reads it too (an unchanged rollback keeps working).
    plain_field = library_encrypt(TokenSet._meta.get_field("refresh_token").base_class())
    assert plain_field.from_db_value(stored, None, db) == "RT-canary"


def test_it_reads_what_django_cryptography_wrote(team):
    connection = make_connection(team)
    plain_field = library_encrypt(TokenSet._meta.get_field("refresh_token").base_class())
    written = plain_field._dump("RT-by-the-library")
    TokenSet.objects.filter(pk=connection.tokens.pk).update(refresh_token="placeholder")
    with db.cursor() as cursor:
        cursor.execute(
            "UPDATE connections_tokenset SET refresh_token = %s WHERE id = %s",
            [written, connection.tokens.pk],
        )

    assert TokenSet.objects.get(pk=connection.tokens.pk).refresh_token == "RT-by-the-library"


def test_it_derives_keys_like_django_cryptography():
    from django_cryptography.utils.crypto import settings as library_settings

    assert encryption.derive_key("test-cryptography-key-not-for-production") == (
        library_settings.CRYPTOGRAPHY_KEY
    )


def test_it_reads_old_keys_and_writes_the_current_one():
    with override_settings(CRYPTOGRAPHY_KEY=KEY_A):
        under_a = FIELD._dump("secret-A")
    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[KEY_A]):
        assert encryption.decrypt(under_a) == ("secret-A", False)
        under_b = FIELD._dump("secret-B")
        assert encryption.decrypt(under_b) == ("secret-B", True)
    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[]):
        with pytest.raises(encryption.UnreadableSecret) as caught:
            FIELD._load(under_a)
        assert "secret-A" not in str(caught.value)
        assert FIELD._load(under_b) == "secret-B"


def test_it_reads_values_signed_with_a_fallback_secret_key():
    # django-cryptography signs with SECRET_KEY: rotating it the Django way keeps values.
    with override_settings(SECRET_KEY="old-secret-key-" + "x" * 40):
        signed_with_old = FIELD._dump("secret")
    with override_settings(SECRET_KEY_FALLBACKS=["old-secret-key-" + "x" * 40]):
        assert encryption.decrypt(signed_with_old) == ("secret", False)
    with pytest.raises(encryption.UnreadableSecret):
        encryption.decrypt(signed_with_old)


def test_it_never_reads_garbage():
    with pytest.raises(encryption.UnreadableSecret):
        encryption.decrypt(b"not a django-cryptography value")
    forged = FernetBytes(encryption.derive_key("attacker"), FernetSigner("wrong")).encrypt(b"x")
    with pytest.raises(encryption.UnreadableSecret):
        encryption.decrypt(forged)


def test_it_finds_every_encrypted_field():
    found = {
        (model._meta.label, field.name)
        for model, fields in encryption.encrypted_fields().items()
        for field in fields
    }
    assert found == {
        ("connections.ClientCredentials", "consumer_secret"),
        ("connections.TokenSet", "access_token"),
        ("connections.TokenSet", "refresh_token"),
        ("connections.AuthorizationRequest", "code_verifier"),
        ("connections.AuthorizationRequest", "consumer_secret"),
        ("webhooks.Endpoint", "secret"),
        ("webhooks.Endpoint", "previous_secret"),
    }


def test_it_deconstructs_like_django_cryptography():
    ours = ClientCredentials._meta.get_field("consumer_secret")
    name, path, args, kwargs = ours.deconstruct()
    assert (name, path, kwargs) == ("consumer_secret", "django_cryptography.fields.encrypt", {})
    assert args[0].deconstruct()[1:] == (
        "django.db.models.TextField",
        [],
        {"verbose_name": "consumer secret"},
    )
