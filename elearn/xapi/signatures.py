"""Signed statements (xAPI 1.0.3 and 2.0, "Signed Statements"): checking the JWS a statement
carries as its signature attachment.

The signature is a JWS in compact serialisation (RFC 7515) whose payload is the statement as
it was signed, before the signature attachment was added. It must use RS256, RS384 or RS512
and its payload must be the same statement (by the spec's comparison rules). When its header
carries the signer's certificate (``x5c``), the signature must verify with that key; without
one there is no key to check it against, and the statement is stored as signed, as the spec
allows.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from elearn.xapi.comparison import statements_equivalent

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}


class SignatureInvalid(ValueError):
    """The signature cannot be accepted; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_signature(attachment: dict[str, Any]) -> bool:
    return attachment.get("usageType") == SIGNATURE_USAGE


def check_signature(statement: dict[str, Any], jws: bytes) -> None:
    """Raise SignatureInvalid unless ``jws`` is a valid signature of ``statement``."""
    try:
        encoded = jws.decode("ascii").strip().split(".")
    except UnicodeDecodeError as exc:
        raise SignatureInvalid("the signature is not a JWS in compact form") from exc
    if len(encoded) != 3:
        raise SignatureInvalid("the signature is not a JWS in compact form (three parts)")
    header = _json_part(encoded[0], "header")
    payload = _json_part(encoded[1], "payload")
    algorithm = header.get("alg") if isinstance(header, dict) else None
    if algorithm not in _HASHES:
        raise SignatureInvalid(f"the signature uses {algorithm!r}; use RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise SignatureInvalid("the signature's payload is not a statement")
    if not statements_equivalent(payload, statement):
        raise SignatureInvalid("the signature's payload is not the statement it is attached to")
    certificates = header.get("x5c")
    if certificates:
        _verify(certificates, algorithm, f"{encoded[0]}.{encoded[1]}".encode(), encoded[2])


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid("the signature is not a JWS in compact form") from exc


def _json_part(text: str, name: str) -> Any:
    try:
        return json.loads(_decode(text))
    except ValueError as exc:
        raise SignatureInvalid(f"the signature's {name} is not valid JSON") from exc


def _verify(certificates: Any, algorithm: str, signed: bytes, signature: str) -> None:
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(certificates[0]))
    except (TypeError, ValueError, IndexError, KeyError, binascii.Error) as exc:
        raise SignatureInvalid("the signature's x5c does not hold a certificate") from exc
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureInvalid(f"{algorithm} needs an RSA key, and the certificate's is not")
    try:
        key.verify(_decode(signature), signed, padding.PKCS1v15(), _HASHES[algorithm]())
    except InvalidSignature as exc:
        raise SignatureInvalid("the signature does not verify with its certificate") from exc
