"""An SMTP connection (smtplib) that paces itself to ``rate_per_minute`` messages."""

from __future__ import annotations

import smtplib
import ssl
import time
from email.message import EmailMessage
from types import TracebackType

from tidings.publish.mail.settings import SmtpSettings


class SmtpTransport:
    """``with SmtpTransport(settings) as t: t.send(message)``; connects lazily, once."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.interval = 60.0 / settings.rate_per_minute
        self._client: smtplib.SMTP | None = None
        self._last = 0.0

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.cafile)  # certificates and host names are verified
        if s.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                client.starttls(context=context)
        if s.username:
            client.login(s.username, s.password or "")
        return client

    def open(self) -> None:
        """Connect now (so an unreachable server fails before anything is logged as sending)."""
        if self._client is None:
            self._client = self._connect()

    def send(self, message: EmailMessage) -> None:
        wait = self._last + self.interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if self._client is None:
            self._client = self._connect()
        self._client.send_message(message)
        self._last = time.monotonic()

    def reset(self) -> None:
        """Drop the connection without a QUIT (after an error); the next send reconnects."""
        if self._client is not None:
            try:
                self._client.close()
            except OSError:
                pass
            self._client = None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
