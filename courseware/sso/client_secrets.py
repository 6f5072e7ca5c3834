"""Providers' client secrets: kept encrypted with a key derived from the site's secret key, or
read from a setting named after the provider (``COURSEWARE_SSO_SECRET_<KEY>``)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from courseware.models import SignInProvider


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"courseware sign-in provider client secrets"
    ).derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def setting_name(provider_key: str) -> str:
    """The setting that, when set, holds the client secret of the provider with ``provider_key``."""
    return "SSO_SECRET_" + provider_key.upper().replace("-", "_")


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_from_environment(provider: SignInProvider) -> str | None:
    value = current_app.config.get(setting_name(provider.key))
    return str(value) if value not in (None, "") else None


def client_secret(provider: SignInProvider) -> str | None:
    """The provider's client secret: the setting when there is one, else the stored one; None when
    neither is there or the stored one was encrypted under another secret key."""
    from_environment = secret_from_environment(provider)
    if from_environment is not None:
        return from_environment
    if not provider.client_secret_encrypted:
        return None
    try:
        return _fernet().decrypt(provider.client_secret_encrypted.encode()).decode()
    except InvalidToken:
        return None
