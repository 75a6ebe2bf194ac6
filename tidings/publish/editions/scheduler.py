"""Scheduled sending: ``run_due(config, store)`` publishes (if still a draft) and sends every
edition whose ``scheduled_at`` has come and that is not yet sent; an interrupted send is resumed
(the send log keeps anyone from getting it twice). ``tidings serve``'s scheduler calls it."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from tidings.config import Config
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.editions.service import EditionError, publish
from tidings.publish.editions.settings import newsletter_settings
from tidings.store.db import Store
from tidings.store.newsletter_models import DRAFT, Edition
from tidings.timeutil import utcnow

log = logging.getLogger(__name__)


def due_editions(store: Store, now: datetime) -> list[int]:
    with store.reading() as session:
        return list(session.scalars(select(Edition.id).where(
            Edition.scheduled_at.is_not(None), Edition.scheduled_at <= now,
            # "sending": a run that died (or could not reach the server); the send log makes resuming safe
            Edition.send_status.is_(None) | (Edition.send_status == "sending"))
            .order_by(Edition.scheduled_at)))


def run_due(config: Config, store: Store, now: datetime | None = None) -> list:  # list[SendReport]
    from tidings.publish.mail.sender import send_edition
    from tidings.publish.mail.settings import smtp_settings

    now = now or utcnow()
    settings = newsletter_settings(config)
    signer = Signer(load_secret(config))
    reports = []
    for edition_id in due_editions(store, now):
        with store.reading() as session:
            draft = session.get(Edition, edition_id).status == DRAFT  # type: ignore[union-attr]
        try:
            if draft:
                publish(store, settings, edition_id, now=now)
            reports.append(send_edition(store, settings, smtp_settings(config), signer, edition_id))
        except (OSError, EditionError) as exc:  # one bad edition or a mail server down: log, try later
            log.warning("edition %s not sent: %s", edition_id, exc)
    return reports
