"""Encrypted model fields that stay readable across a CRYPTOGRAPHY_KEY rotation.

``encrypt(base_field)`` works like ``django_cryptography.fields.encrypt`` and writes exactly
the library's format: its ``FernetBytes`` (AES-CBC + HMAC-SHA256 "signer") with the AES key
derived from CRYPTOGRAPHY_KEY the way ``django_cryptography.conf`` derives it (PBKDF2,
CRYPTOGRAPHY_SALT, 30,000 iterations). Reading tries the current key first, then each of
CRYPTOGRAPHY_OLD_KEYS. The library's signer is keyed with Django's SECRET_KEY (not with
CRYPTOGRAPHY_KEY), so reading also accepts signatures made with SECRET_KEY_FALLBACKS: rotating
SECRET_KEY the Django way then keeps the secrets readable until
``manage.py rotate_encryption_key`` has re-signed them.

The signature covers the ciphertext but not which AES key made it, so a wrong AES key is
detected by the padding and unpickling failing (a false positive needs both to succeed on
random bytes). The current key is always tried first.

Deconstruction is the library's (``django_cryptography.fields.encrypt``), so migrations don't
change; historical models in migrations read with the current key only.
"""

import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired
from django.db import OperationalError, models, transaction
from django_cryptography.core.signing import FernetSigner
from django_cryptography.fields import EncryptedMixin, Expired
from django_cryptography.fields import encrypt as library_encrypt
from django_cryptography.utils.crypto import FernetBytes, pbkdf2
from django_cryptography.utils.crypto import settings as library_settings

logger = logging.getLogger(__name__)

# django_cryptography.conf: PBKDF2HMAC(DIGEST, length=digest_size, SALT, iterations=30000).
KDF_ITERATIONS = 30_000


class UnreadableSecret(Exception):
    """No configured key decrypts the value. The message never contains the value."""


@lru_cache(maxsize=32)
def _derive(raw_key: str, salt: bytes) -> bytes:
    # PBKDF2 is slow on purpose (~10 ms): derive each key once per process.
    digest = library_settings.CRYPTOGRAPHY_DIGEST
    return pbkdf2(raw_key, salt, KDF_ITERATIONS, digest=digest)


def derive_key(raw_key: str | bytes) -> bytes:
    """The AES key django-cryptography derives from ``raw_key``. A ``bytes`` value is taken
    as already derived: django-cryptography's AppConf replaces settings.CRYPTOGRAPHY_KEY with
    its derived key at startup (keys from the environment are always ``str``)."""
    if isinstance(raw_key, bytes):
        return raw_key
    salt = library_settings.CRYPTOGRAPHY_SALT
    return _derive(raw_key, salt if isinstance(salt, bytes) else salt.encode())


def _signer_keys() -> list[str | bytes]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _aes_keys() -> list[bytes]:
    """The current key first, then the old ones (duplicates dropped)."""
    keys: list[bytes] = []
    for raw in [settings.CRYPTOGRAPHY_KEY, *getattr(settings, "CRYPTOGRAPHY_OLD_KEYS", [])]:
        key = derive_key(raw)
        if key not in keys:
            keys.append(key)
    return keys


def current_fernet() -> FernetBytes:
    """The library's FernetBytes for writing: current CRYPTOGRAPHY_KEY, signed with SECRET_KEY."""
    return FernetBytes(derive_key(settings.CRYPTOGRAPHY_KEY), FernetSigner(settings.SECRET_KEY))


def decrypt(value: bytes, ttl: int | None = None) -> tuple[Any, bool]:
    """``(plaintext object, written with the current keys)``; raises UnreadableSecret."""
    for signer_index, signer_key in enumerate(_signer_keys()):
        signer = FernetSigner(signer_key)
        try:
            signer.unsign(value, ttl)
        except SignatureExpired:
            return Expired, signer_index == 0
        except BadSignature:
            continue
        for key_index, key in enumerate(_aes_keys()):
            try:
                loaded = pickle.loads(FernetBytes(key, signer).decrypt(value, ttl))  # noqa: S301
            except Exception:  # noqa: S112 (wrong key: bad padding or garbage pickle)
                continue
            return loaded, signer_index == 0 and key_index == 0
        break  # the signature is right, so no other SECRET_KEY will do better
    raise UnreadableSecret(
        "No key decrypts this value: it was encrypted with a key that is neither "
        "CRYPTOGRAPHY_KEY nor in CRYPTOGRAPHY_OLD_KEYS (or signed with a SECRET_KEY that is "
        "neither SECRET_KEY nor in SECRET_KEY_FALLBACKS)."
    )


class KeyRingMixin:
    """Overrides EncryptedMixin's dump/load to use the key ring (settings read at call time,
    derived keys cached), and keeps the library's deconstruction."""

    def _dump(self, value: Any) -> bytes:
        if self.key is not None:  # a field-specific key: the library's behaviour
            return super()._dump(value)
        return current_fernet().encrypt(pickle.dumps(value))

    def _load(self, value: bytes) -> Any:
        if self.key is not None:
            return super()._load(value)
        return decrypt(value, self.ttl)[0]

    def deconstruct(self):
        # EncryptedMixin only emits its encrypt() path for direct subclasses; this class is
        # one level further down, so build the same tuple the library would.
        name, _path, args, kwargs = super(EncryptedMixin, self).deconstruct()
        options = {"ttl": self.ttl} if self.ttl is not None else {}
        return (
            name,
            f"{library_encrypt.__module__}.{library_encrypt.__name__}",
            [self.base_class(*args, **kwargs)],
            options,
        )


_FIELD_CACHE: dict[type, type] = {}


def _field_class(base_class: type[models.Field]) -> type[models.Field]:
    if base_class not in _FIELD_CACHE:
        _FIELD_CACHE[base_class] = type(
            f"KeyRingEncrypted{base_class.__name__}",
            (KeyRingMixin, EncryptedMixin, base_class),
            {"base_class": base_class, "wasinstance": True},
        )
    return _FIELD_CACHE[base_class]


def encrypt(base_field: models.Field, ttl: int | None = None) -> models.Field:
    """``django_cryptography.fields.encrypt(base_field)`` that reads with every configured
    key (see the module docstring)."""
    _name, _path, args, kwargs = base_field.deconstruct()
    return _field_class(type(base_field))(*args, ttl=ttl, **kwargs)


def encrypted_fields() -> dict[type[models.Model], list[EncryptedMixin]]:
    """Every concrete model's encrypted fields (the library's and ours) that use the
    configured keys (not a field-specific ``key``)."""
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedMixin) and getattr(f, "key", None) is None
        ]
        if fields:
            found[model] = fields
    return found


# --- Re-encryption with the current key (manage.py rotate_encryption_key) -----------------


@dataclass
class RotationReport:
    """Row counts; ``unreadable`` names each value no key decrypts (model, pk, field)."""

    checked: int = 0
    reencrypted: int = 0
    current: int = 0
    unreadable: list[tuple[str, Any, str]] = field(default_factory=list)

    @property
    def unreadable_rows(self) -> int:
        return len({(label, pk) for label, pk, _name in self.unreadable})


class _Raw(models.ExpressionWrapper):
    """A column read as plain bytes, skipping the encrypted field's decrypting converter."""

    def __init__(self, name: str):
        super().__init__(models.F(name), output_field=models.BinaryField())


def rotate_keys(
    batch_size: int = 500,
    progress: Callable[[str], None] | None = None,
    lock_retries: int = 3,
) -> RotationReport:
    """Re-encrypt every encrypted value that isn't on the current keys (CRYPTOGRAPHY_KEY and
    SECRET_KEY) with them, in batches of ``batch_size`` rows per model, each batch in its own
    transaction with its rows locked (``select_for_update``): a value is read and rewritten
    under the same lock, so a refresh that stores a new token concurrently either waits for
    the batch and writes after it, or commits first and the batch reads its new token.
    Values already on the current keys are left alone, so a rerun after a crash just carries
    on (idempotent). A value no key decrypts is reported, never printed and never changed."""
    report = RotationReport()
    for model, fields in encrypted_fields().items():
        label = model._meta.label
        last_pk = None
        while True:
            for attempt in range(lock_retries + 1):
                try:
                    with transaction.atomic():
                        rows, batch = _rotate_batch(model, fields, last_pk, batch_size)
                    break
                except OperationalError:
                    # A row held by an in-flight refresh past the lock timeout: retry.
                    if attempt == lock_retries:
                        raise
                    logger.warning("%s: batch after pk %s is locked; retrying", label, last_pk)
                    time.sleep(1 + attempt)
            if not rows:
                break
            report.checked += batch.checked
            report.reencrypted += batch.reencrypted
            report.current += batch.current
            report.unreadable += [(label, pk, name) for pk, name in batch.unreadable_values]
            last_pk = rows[-1]
            if progress:
                progress(
                    f"{label}: {report.checked} rows checked so far "
                    f"(last pk {last_pk}, {batch.reencrypted} re-encrypted in this batch)"
                )
            if len(rows) < batch_size:
                break
    return report


@dataclass
class _Batch:
    checked: int = 0
    reencrypted: int = 0
    current: int = 0
    unreadable_values: list[tuple[Any, str]] = field(default_factory=list)


def _rotate_batch(model, fields, last_pk, batch_size) -> tuple[list, _Batch]:
    queryset = model._default_manager.order_by("pk")
    if last_pk is not None:
        queryset = queryset.filter(pk__gt=last_pk)
    raw = {f"_raw_{f.attname}": _Raw(f.attname) for f in fields}
    rows = list(queryset.select_for_update().annotate(**raw).values_list("pk", *raw)[:batch_size])
    batch = _Batch(checked=len(rows))
    for pk, *values in rows:
        updates, unreadable = {}, False
        for field_, value in zip(fields, values, strict=True):
            if value is None:
                continue
            try:
                plain, is_current = decrypt(bytes(value), field_.ttl)
            except UnreadableSecret:
                unreadable = True
                batch.unreadable_values.append((pk, field_.name))
                continue
            if plain is Expired:
                unreadable = True
                batch.unreadable_values.append((pk, field_.name))
            elif not is_current:
                updates[field_.attname] = plain
        if updates:
            model._default_manager.filter(pk=pk).update(**updates)
            batch.reencrypted += 1
        elif not unreadable:
            batch.current += 1
    return [row[0] for row in rows], batch
