"""Subscribers: sign up (pending), confirm by signed link, unsubscribe, choose sections.

Signing up again with a pending or unsubscribed address sends a fresh confirmation; an
address that is already confirmed gets no mail (so the form cannot be used to spam it)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from tidings.publish.editions.security import BadToken, Signer
from tidings.publish.editions.settings import NewsletterSettings
from tidings.publish.mail import links
from tidings.publish.mail.message import address_ok, confirmation_message
from tidings.store.db import Store
from tidings.store.newsletter_models import Subscriber
from tidings.timeutil import utcnow

PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"


class SubscriberError(ValueError):
    """A bad address or a bad link."""


@dataclass(frozen=True, slots=True)
class SubscriberView:
    id: int
    email: str
    status: str
    sections: list[str]


def _view(s: Subscriber) -> SubscriberView:
    return SubscriberView(s.id, s.email, s.status, list(s.sections or []))


def normalize(email: str) -> str:
    email = (email or "").strip()
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if local else email


def signup(store: Store, settings: NewsletterSettings, signer: Signer, email: str,
           sections: list[str] | None = None) -> EmailMessage | None:
    """Record a pending subscription; returns the confirmation mail to send (None if confirmed)."""
    email = normalize(email)
    if not address_ok(email):
        raise SubscriberError("not a valid email address")
    wanted = [s for s in (sections or []) if s in settings.section_order]
    with store.transaction() as session:
        sub = session.scalars(select(Subscriber).where(Subscriber.email == email)).first()
        if sub is None:
            sub = Subscriber(email=email, status=PENDING, sections=wanted)
            session.add(sub)
            session.flush()
        elif sub.status == CONFIRMED:
            return None
        else:
            sub.status = PENDING
            sub.sections = wanted
        return confirmation_message(settings, email, links.confirm_url(settings, signer, sub.id, email))


def _from_token(session: Session, signer: Signer, purpose: str, token: str) -> Subscriber:
    try:
        data = signer.verify(purpose, token)
    except BadToken as exc:
        raise SubscriberError(f"this link is not valid ({exc})") from None
    sub = session.get(Subscriber, int(data.get("s", -1)))
    if sub is None or sub.email.lower() != data.get("e"):
        raise SubscriberError("this link is not valid (unknown subscriber)")
    return sub


def confirm(store: Store, signer: Signer, token: str) -> SubscriberView:
    with store.transaction() as session:
        sub = _from_token(session, signer, links.CONFIRM, token)
        if sub.status == UNSUBSCRIBED:  # an old confirmation link must not undo an unsubscribe
            raise SubscriberError("this address has unsubscribed since; sign up again to resume")
        if sub.status != CONFIRMED:
            sub.status = CONFIRMED
            sub.confirmed_at = utcnow()
            sub.unsubscribed_at = None
        return _view(sub)


def unsubscribe(store: Store, signer: Signer, token: str) -> SubscriberView:
    with store.transaction() as session:
        sub = _from_token(session, signer, links.UNSUBSCRIBE, token)
        if sub.status != UNSUBSCRIBED:
            sub.status = UNSUBSCRIBED
            sub.unsubscribed_at = utcnow()
        return _view(sub)


def lookup(store: Store, signer: Signer, purpose: str, token: str) -> SubscriberView:
    with store.reading() as session:
        return _view(_from_token(session, signer, purpose, token))


def set_sections(store: Store, settings: NewsletterSettings, signer: Signer, token: str,
                 sections: list[str]) -> SubscriberView:
    with store.transaction() as session:
        sub = _from_token(session, signer, links.PREFERENCES, token)
        sub.sections = [s for s in settings.section_order if s in sections]
        return _view(sub)
