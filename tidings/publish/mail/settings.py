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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tidings.config_schema import SettingError

if TYPE_CHECKING:
    from tidings.config import Config


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The mail relay newsletters are sent through."""

    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password_env: str | None = None  # the password is read from this environment variable
    starttls: bool = False
    ssl: bool = False  # implicit TLS (port 465) instead of STARTTLS
    rate_per_minute: float = 60.0  # messages sent per minute at most
    timeout: float = 30.0  # seconds
    cafile: str | None = None  # a CA bundle to verify the server with, instead of the system's
    retries: int = 4  # temporary failures (4xx replies, dropped connections) retried per message
    retry_seconds: float = 5.0  # the first retry's wait; it doubles each time

    def __post_init__(self) -> None:
        if self.starttls and self.ssl:
            raise SettingError("ssl", "choose starttls or ssl, not both")
        if self.rate_per_minute <= 0:
            raise SettingError("rate_per_minute", f"expected a positive number, got {self.rate_per_minute}")
        if not 0 < self.port < 65536:
            raise SettingError("port", f"expected a port number, got {self.port}")

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else None


def smtp_settings(config: Config) -> SmtpSettings:
    """The ``[smtp]`` table, checked when the configuration was loaded."""
    return config.settings("smtp")
