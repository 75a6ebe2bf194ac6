"""Signed links for one subscriber: confirm (expires), unsubscribe and preferences (do not)."""

from __future__ import annotations

from urllib.parse import quote

from tidings.publish.editions.security import Signer
from tidings.publish.editions.settings import NewsletterSettings

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"


def token(signer: Signer, purpose: str, subscriber_id: int, email: str, ttl: float | None = None) -> str:
    return signer.sign(purpose, {"s": subscriber_id, "e": email.lower()}, ttl=ttl)


def confirm_url(settings: NewsletterSettings, signer: Signer, subscriber_id: int, email: str) -> str:
    t = token(signer, CONFIRM, subscriber_id, email, ttl=settings.confirm_seconds)
    return settings.url(f"/newsletter/confirm?t={quote(t)}")


def unsubscribe_url(settings: NewsletterSettings, signer: Signer, subscriber_id: int, email: str) -> str:
    return settings.url(f"/newsletter/unsubscribe?t={quote(token(signer, UNSUBSCRIBE, subscriber_id, email))}")


def preferences_url(settings: NewsletterSettings, signer: Signer, subscriber_id: int, email: str) -> str:
    return settings.url(f"/newsletter/preferences?t={quote(token(signer, PREFERENCES, subscriber_id, email))}")
