"""Secrets, password hashes and signed tokens (standard library only).

Passwords are hashed with scrypt (n=2**14, r=8, p=1) and a random salt. Tokens are
``base64url(json).base64url(hmac-sha256)``, each with a purpose so a confirmation token can
never pass for a session or an unsubscribe token. The signing secret comes from
``[newsletter] secret`` or, failing that, from a file generated once next to the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from tidings.config import Config

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SECRET_FILE = "tidings-secret.key"


class BadToken(ValueError):
    """A token that is forged, damaged, for another purpose, or expired."""


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def data_dir(config: Config) -> Path:
    """Where generated state lives: the SQLite database's folder, else the config file's, else cwd."""
    url = config.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///"):]).expanduser().resolve().parent
    if config.path is not None:
        return config.path.parent
    return Path.cwd()


def load_secret(config: Config) -> bytes:
    """The signing key: configured, or read from (and on first use written to) the data dir."""
    configured = config.settings("newsletter").secret
    if configured:
        return str(configured).encode()
    path = data_dir(config) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs and checks small JSON payloads for one secret."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self.secret, body.encode(), hashlib.sha256).digest())

    def sign(self, purpose: str, data: dict[str, Any], ttl: float | None = None, now: float | None = None) -> str:
        payload = dict(data, _p=purpose)
        if ttl is not None:
            payload["_x"] = int((now if now is not None else time.time()) + ttl)
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(body)}"

    def verify(self, purpose: str, token: str, now: float | None = None) -> dict[str, Any]:
        body, _, mac = (token or "").partition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise BadToken("bad signature")
        try:
            payload = json.loads(_unb64(body))
        except ValueError:
            raise BadToken("unreadable token") from None
        if not isinstance(payload, dict) or payload.get("_p") != purpose:
            raise BadToken("token for another purpose")
        expires = payload.get("_x")
        if expires is not None and (now if now is not None else time.time()) > expires:
            raise BadToken("expired")
        return {k: v for k, v in payload.items() if not k.startswith("_")}

    def digest(self, purpose: str, value: str) -> str:
        """A keyed digest (CSRF tokens: the digest of the per-browser cookie value)."""
        return self._mac(f"{purpose}:{value}")
