"""A real OpenID provider for the tests: the npm package ``oidc-provider``, run by ``idp/idp.mjs``
with node on a loopback port, and a small driver that signs someone in at it as a browser would."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from html import unescape
from urllib.parse import urljoin

import pytest
import requests

from tests.conftest import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
IDP_DIR = os.path.join(HERE, "idp")
CLIENT_ID = "courseware"
CLIENT_SECRET = "courseware-test-secret"


def skip_without_idp() -> None:
    """Skip (one line) when node or the provider's npm packages are not installed."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the OpenID provider for these tests cannot run")
    if not os.path.isdir(os.path.join(IDP_DIR, "node_modules", "oidc-provider")):
        pytest.skip("oidc-provider is not installed: run `npm ci` in tests/sso/idp")


class IdentityProvider:
    """One oidc-provider process; its people (and their claims) are in a JSON file the tests edit."""

    def __init__(self, redirect_uris: list[str], post_logout_redirect_uris: list[str], folder: str) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = os.path.join(folder, "accounts.json")
        self.accounts: dict[str, dict] = {}
        self.save_accounts()
        self.clients = [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": post_logout_redirect_uris,
            }
        ]
        self.process: subprocess.Popen | None = None
        self.log = os.path.join(folder, "idp.log")

    def save_accounts(self) -> None:
        with open(self.accounts_file, "w") as out:
            json.dump(self.accounts, out)

    def set_account(self, account_id: str, **claims) -> None:
        """Add or change someone at the provider (email, email_verified, name, groups, misbehave)."""
        self.accounts[account_id] = claims
        self.save_accounts()

    def start(self, key_id: str = "key-1") -> None:
        environment = dict(
            os.environ,
            PORT=str(self.port),
            CLIENTS=json.dumps(self.clients),
            ACCOUNTS_FILE=self.accounts_file,
            KEY_ID=key_id,
        )
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                ["node", os.path.join(IDP_DIR, "idp.mjs")], env=environment, stdout=log, stderr=log, cwd=IDP_DIR
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.log) as log:
                    pytest.fail("the OpenID provider did not start:\n" + log.read()[-2000:])
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def restart_with_new_key(self, key_id: str) -> None:
        """Start again on the same address, signing with a new key under a new id (a key rotation)."""
        self.stop()
        self.start(key_id)

    def jwks(self) -> dict:
        return requests.get(self.issuer + "/jwks", timeout=5).json()


@contextlib.contextmanager
def running_idp(redirect_uris: list[str], post_logout_redirect_uris: list[str]) -> Iterator[IdentityProvider]:
    skip_without_idp()
    folder = tempfile.mkdtemp(prefix="courseware-idp-")
    idp = IdentityProvider(redirect_uris, post_logout_redirect_uris, folder)
    idp.start()
    try:
        yield idp
    finally:
        idp.stop()
        shutil.rmtree(folder, ignore_errors=True)


FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)


def sign_in_at_provider(authorization_url: str, account_id: str, browser: requests.Session | None = None) -> str:
    """Follow the provider's pages from ``authorization_url`` as a browser would, sign in at its
    development login form as ``account_id``, and return the address it sends the browser back to."""
    browser = browser or requests.Session()
    url = authorization_url
    response = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(20):
        if response.is_redirect:
            target = urljoin(url, response.headers["Location"])
            if not target.startswith(authorization_url.split("/auth")[0]):
                return target
            url = target
            response = browser.get(url, allow_redirects=False, timeout=10)
            continue
        page = response.text
        form = FORM.search(page)
        assert form, f"the provider showed no form: {page[:500]}"
        fields = {name: unescape(value) for name, value in HIDDEN.findall(page)}
        if fields.get("prompt") == "login":
            fields.update(login=account_id, password="any password")
        url = urljoin(url, unescape(form.group(1)))
        response = browser.post(url, data=fields, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")
