"""The ``[smtp]`` table of tidings.toml.

::

    [smtp]
    host = "smtp.example.org"
    port = 587
    username = "news@example.org"
    password_env = "TIDINGS_SMTP_PASSWORD"   # the password is read from this variable
    starttls = true
    ssl = false          # implicit TLS (port 465) instead of STARTTLS
    rate_per_minute = 60
    timeout = 30
    cafile = "/etc/ssl/private-ca.pem"       # optional: trust a private CA for the relay's certificate
    retries = 4          # a temporary failure (4xx, a dropped connection) is retried this many times
    retry_seconds = 5.0  # after this long, doubling each time
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from tidings.config import Config, ConfigError


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password_env: str | None = None
    starttls: bool = False
    ssl: bool = False
    rate_per_minute: float = 60.0
    timeout: float = 30.0
    cafile: str | None = None  # a CA bundle to verify the server with, instead of the system's
    retries: int = 4  # temporary failures (4xx replies, dropped connections) retried per message
    retry_seconds: float = 5.0  # the first retry's wait; it doubles each time

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else None


def smtp_settings(config: Config) -> SmtpSettings:
    raw = dict(config.table("smtp"))
    known = {f.name for f in fields(SmtpSettings)}
    if unknown := set(raw) - known:
        raise ConfigError(f"unknown setting(s) smtp.{', smtp.'.join(sorted(unknown))}")
    if raw.get("starttls") and raw.get("ssl"):
        raise ConfigError("smtp: choose starttls or ssl, not both")
    rate = raw.get("rate_per_minute", 60.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
        raise ConfigError("smtp.rate_per_minute: expected a positive number")
    return SmtpSettings(**raw)
