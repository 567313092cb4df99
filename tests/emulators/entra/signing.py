"""The emulator's RS256 signing key: JWTs (PyJWT) and the JWKS that publishes the public half.

Shapes: https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference and
https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class SigningKey:
    """A 2048-bit RSA key made at start-up; `kid` and `x5t` are the SHA-1 of its public DER."""

    def __init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = self._private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashlib.sha1(der, usedforsecurity=False).digest()
        self.kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims, self._private, algorithm="RS256", headers={"kid": self.kid, "x5t": self.kid}
        )

    def jwk(self, issuer: str) -> dict[str, Any]:
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._private.public_key()))
        return {**key, "use": "sig", "kid": self.kid, "x5t": self.kid, "issuer": issuer}
