"""Signed statements: a JWS (RS256, RS384 or RS512) whose payload is the statement itself."""

from __future__ import annotations

import base64
import binascii
import json
import re

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


class InvalidSignature(ValueError):
    pass


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _truncated(duration):
    # An LRS may keep durations to 0.01 s: compare them at that precision.
    return re.sub(r"(\d+)\.(\d{1,2})\d*S$", r"\1.\2S", duration) if isinstance(duration, str) else duration


def _signed_part(statement: dict) -> dict:
    value = {k: v for k, v in statement.items() if k not in ("stored", "authority", "version", "id", "attachments")}
    if isinstance(value.get("result"), dict) and "duration" in value["result"]:
        value["result"] = {**value["result"], "duration": _truncated(value["result"]["duration"])}
    if "timestamp" in value and statement.get("timestamp") == statement.get("stored"):
        value.pop("timestamp")
    return value


def check_signature(statement: dict, jws: bytes) -> None:
    """Refuse a signature that is not a compact JWS, uses another algorithm than RS256/384/512,
    does not verify against its x5c certificate, or signs a different statement."""
    try:
        header_b64, payload_b64, signature_b64 = jws.decode("ascii").strip().split(".")
        header = json.loads(_b64(header_b64))
        payload = json.loads(_b64(payload_b64))
        signature = _b64(signature_b64)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidSignature("the signature is not a JWS in compact form") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise InvalidSignature("the signature is not a JWS in compact form")
    algorithm = ALGORITHMS.get(header.get("alg"))
    if algorithm is None:
        raise InvalidSignature("a statement signature must use RS256, RS384 or RS512")
    chain = header.get("x5c")
    if chain:
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
            key = certificate.public_key()
        except (ValueError, TypeError, binascii.Error, IndexError):
            raise InvalidSignature("the signature's x5c certificate could not be read") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidSignature("the signature's certificate is not an RSA key")
        try:
            key.verify(signature, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(), algorithm())
        except CryptoInvalidSignature:
            raise InvalidSignature("the signature does not verify against its certificate") from None
    if _signed_part(payload) != _signed_part(statement):
        raise InvalidSignature("the signature's payload is not this statement")
    if "id" in payload and payload["id"].lower() != statement["id"].lower():
        raise InvalidSignature("the signature's payload has another statement id")
