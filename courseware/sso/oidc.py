"""The OpenID Connect protocol with a provider: discovery, the authorization request (code flow
with PKCE, state and nonce), the code exchange and the id_token checks, through Authlib.

The provider's signing keys (its JWKS) are kept per worker and fetched again when an id_token
names a key that is not among them, so that a provider rotating its keys is followed at once.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from cachetools import LRUCache
from flask import current_app
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingKeyError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from courseware.exceptions import DomainError
from courseware.i18n import lazy_gettext as _l
from courseware.models import SignInProvider

log = logging.getLogger(__name__)

SCOPE = "openid email profile"
HTTP_TIMEOUT_SECONDS = 5
# Discovery documents and key sets larger than this are refused: what is kept stays small.
MAX_DOCUMENT_BYTES = 64 * 1024
# Signature algorithms accepted for id_tokens: public-key ones only (never "none", never a shared secret).
PUBLIC_KEY_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")

# jwks_uri -> the provider's key set as last fetched; at most 32 sets of at most 64 KiB each.
_key_sets: LRUCache = LRUCache(maxsize=32)
_key_sets_lock = threading.Lock()


class ProviderProblem(DomainError):
    """The provider cannot be used: unreachable, or its answers are not what OpenID Connect says."""


class TokenRefused(DomainError):
    """The provider's answer to the sign-in does not pass the checks; the message says which."""


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_provider_url(url: str, what: str) -> None:
    """Refuse anything but an https address (http only on this machine's loopback)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ProviderProblem(_l("The %(what)s is not a valid address.", what=what)) from None
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not _is_loopback(host)):
        raise ProviderProblem(_l("The %(what)s must be an https:// address.", what=what))


def fetch_json(url: str, what: str) -> dict:
    """The JSON object at ``url``; :class:`ProviderProblem` naming ``what`` on any failure."""
    check_provider_url(url, what)
    try:
        with requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, stream=True, headers={"Accept": "application/json"}) as r:
            if r.status_code != 200:
                raise ProviderProblem(
                    _l("The %(what)s at %(url)s answered HTTP %(status)d.", what=what, url=url, status=r.status_code)
                )
            body = r.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise ProviderProblem(
            _l(
                "The %(what)s at %(url)s could not be reached (%(error)s).",
                what=what,
                url=url,
                error=type(exc).__name__,
            )
        ) from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ProviderProblem(
            _l(
                "The %(what)s at %(url)s is larger than %(size)d KiB.",
                what=what,
                url=url,
                size=MAX_DOCUMENT_BYTES // 1024,
            )
        )
    try:
        document = json.loads(body)
    except ValueError:
        raise ProviderProblem(_l("The %(what)s at %(url)s is not JSON.", what=what, url=url)) from None
    if not isinstance(document, dict):
        raise ProviderProblem(_l("The %(what)s at %(url)s is not a JSON object.", what=what, url=url))
    return document


def discover(issuer: str) -> dict:
    """The provider's discovery document (``.well-known/openid-configuration``), checked: it names
    the same issuer and the endpoints the code flow needs, and supports PKCE with S256."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = fetch_json(url, _l("discovery document"))
    if not isinstance(document.get("issuer"), str) or document["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ProviderProblem(
            _l(
                "The discovery document names another issuer (%(issuer)s); "
                "enter the issuer exactly as the provider gives it.",
                issuer=str(document.get("issuer"))[:200],
            )
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str):
            raise ProviderProblem(_l("The discovery document has no %(name)s.", name=name))
        check_provider_url(value, name)
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise ProviderProblem(_l("The provider does not support PKCE with S256, which sign-in requires."))
    return document


def _load_key_set(jwks_uri: str) -> KeySet:
    document = fetch_json(jwks_uri, _l("key set (JWKS)"))
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, KeyError, TypeError):
        raise ProviderProblem(_l("The key set at %(url)s cannot be read.", url=jwks_uri)) from None


def key_set(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    """The provider's signing keys, as kept by this worker; fetched anew when ``fresh``."""
    with _key_sets_lock:
        kept = None if fresh else _key_sets.get(jwks_uri)
    if kept is not None:
        return kept
    loaded = _load_key_set(jwks_uri)
    with _key_sets_lock:
        _key_sets[jwks_uri] = loaded
    return loaded


def authorization_url(provider: SignInProvider, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
    """Where to send the browser: the provider's authorization endpoint with the code flow's parameters."""
    client = OAuth2Session(provider.client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, _ = client.create_authorization_url(
        provider.discovery["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce
    )
    return url


def _auth_method(provider: SignInProvider) -> str:
    supported = provider.discovery.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"


def exchange_code(provider: SignInProvider, secret: str, redirect_uri: str, code: str, code_verifier: str) -> dict:
    """The provider's tokens for ``code``; :class:`TokenRefused` when it does not give them (a code
    already used, expired, or not issued for this verifier)."""
    client = OAuth2Session(
        provider.client_id, secret, redirect_uri=redirect_uri, token_endpoint_auth_method=_auth_method(provider)
    )
    try:
        with client:
            token = client.fetch_token(
                provider.discovery["token_endpoint"],
                code=code,
                code_verifier=code_verifier,
                timeout=HTTP_TIMEOUT_SECONDS,
            )
    except OAuthError as exc:
        raise TokenRefused(_l("The provider refused the sign-in code (%(error)s).", error=exc.error)) from None
    except (requests.RequestException, ValueError) as exc:
        raise TokenRefused(
            _l("The provider's token endpoint could not be used (%(error)s).", error=type(exc).__name__)
        ) from None
    if not isinstance(token.get("id_token"), str):
        raise TokenRefused(_l("The provider sent no id_token."))
    return dict(token)


def _algorithms(provider: SignInProvider) -> list[str]:
    offered = provider.discovery.get("id_token_signing_alg_values_supported") or ["RS256"]
    return [alg for alg in PUBLIC_KEY_ALGORITHMS if alg in offered] or ["RS256"]


def validate_id_token(provider: SignInProvider, id_token: str, nonce: str, access_token: str | None = None) -> dict:
    """The id_token's claims, once its signature (the provider's keys), issuer, audience, expiry
    and nonce are checked; :class:`TokenRefused` naming the check that failed otherwise."""
    jwks_uri = provider.discovery["jwks_uri"]
    registry = JWSRegistry(algorithms=_algorithms(provider))
    try:
        try:
            token = jwt.decode(id_token, key_set(jwks_uri), registry=registry)
        except (InvalidKeyIdError, MissingKeyError):
            # A key we have not seen: the provider may have rotated its keys since we fetched them.
            token = jwt.decode(id_token, key_set(jwks_uri, fresh=True), registry=registry)
    except ProviderProblem as exc:
        raise TokenRefused(exc.message) from None
    except (InvalidKeyIdError, MissingKeyError):
        raise TokenRefused(_l("The id_token is signed with a key the provider does not publish.")) from None
    except BadSignatureError:
        raise TokenRefused(_l("The id_token's signature does not match the provider's keys.")) from None
    except (JoseError, ValueError, TypeError):
        raise TokenRefused(_l("The id_token cannot be read as a signed JWT.")) from None
    options = {
        "iss": {"essential": True, "value": provider.discovery["issuer"]},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": provider.client_id, "access_token": access_token}
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=int(current_app.config["SSO_CLOCK_LEEWAY_SECONDS"]))
    except ExpiredTokenError:
        raise TokenRefused(_l("The id_token has expired.")) from None
    except ClaimError as exc:
        described = {"iss": _l("issuer"), "aud": _l("audience"), "nonce": _l("nonce"), "azp": _l("authorized party")}
        what = described.get(exc.claim) or _l("“%(claim)s” claim", claim=exc.claim)
        raise TokenRefused(_l("The id_token's %(what)s is not the expected one.", what=what)) from None
    except (JoseError, ValueError, TypeError):
        raise TokenRefused(_l("The id_token's claims are malformed.")) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise TokenRefused(_l("The id_token has no usable subject."))
    return dict(claims)


def logout_url(provider: SignInProvider, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address to send the browser to after logging out, if it has one."""
    endpoint = provider.discovery.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    from authlib.common.urls import add_params_to_uri

    return add_params_to_uri(
        endpoint, {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
