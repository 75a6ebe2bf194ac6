"""Send a published edition to the confirmed subscribers, once each.

The send log (``sends``, unique per edition and subscriber) is written and committed *before*
each SMTP transaction and marked ``sent`` after it. A later run skips every subscriber with a
row: ``sent`` ones obviously, and ``sending`` ones too, because a crash in between leaves no way
to know whether the message left; at most once is the promise. Rows marked ``failed`` (the
server refused the message) are retried. An edition none of whose stories is new (all were in
an earlier sent edition) is not sent at all.

SMTP failures are sorted (:func:`is_temporary`): a 4xx reply (421 "service not available",
451 "try again later") or a connection dropped before the server accepted the message is
temporary, retried on a fresh connection after ``smtp.retry_seconds``, doubling, up to
``smtp.retries`` times (then the row is ``failed`` and the next run tries again). A server
only takes a message with its final 250 reply, so a dropped connection never leaves a
message delivered and unrecorded. A 5xx reply (550 "no such mailbox") is permanent: the
row is ``failed``, and when the server refused the address itself the subscriber becomes
``bounced``, never mailed again."""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tidings.logs import event
from tidings.publish.editions.content import EditionContent
from tidings.publish.editions.render import Links
from tidings.publish.editions.security import Signer
from tidings.publish.editions.settings import NewsletterSettings
from tidings.publish.mail import links as sublinks
from tidings.publish.mail.message import edition_message
from tidings.publish.mail.settings import SmtpSettings
from tidings.publish.mail.subscribers import CONFIRMED
from tidings.publish.mail.transport import SmtpTransport
from tidings.store.db import Store
from tidings.store.newsletter_models import PUBLISHED, Edition, EditionItem, Send, Subscriber
from tidings.timeutil import utcnow

log = logging.getLogger(__name__)

BOUNCED = "bounced"  # a subscriber whose address the server refused permanently (5xx)


class SendError(RuntimeError):
    """The edition cannot be sent (missing, or still a draft)."""


@dataclass(slots=True)
class SendReport:
    edition_id: int
    sent: int = 0
    skipped: int = 0  # already in the send log
    failed: int = 0
    empty: bool = False  # nothing new in it: not sent
    errors: list[str] = field(default_factory=list)


def new_story_ids(store: Store, edition_id: int) -> list[str]:
    """Stories of this edition that no other edition already mailed or published before it."""
    with store.reading() as session:
        edition = session.get(Edition, edition_id)
        if edition is None:
            raise SendError(f"no edition {edition_id}")
        mine = EditionContent.from_dict(edition.content).story_ids if edition.content else []
        earlier = set(session.scalars(
            select(EditionItem.story_id).join(Edition, Edition.id == EditionItem.edition_id)
            .where(Edition.id != edition_id, Edition.status == PUBLISHED, EditionItem.dropped.is_(False),
                   (Edition.sent_at.is_not(None)) | (Edition.published_at < edition.published_at))))
        return [s for s in mine if s not in earlier]


def send_edition(store: Store, settings: NewsletterSettings, smtp: SmtpSettings, signer: Signer, edition_id: int,
                 *, progress: Callable[[str], None] | None = None) -> SendReport:
    report = SendReport(edition_id)
    started = time.perf_counter()
    with store.transaction() as session:
        edition = session.get(Edition, edition_id)
        if edition is None:
            raise SendError(f"no edition {edition_id}")
        if edition.status != PUBLISHED:
            raise SendError(f"edition {edition_id} is a draft: publish it first")
        content = EditionContent.from_dict(edition.content)
    if not new_story_ids(store, edition_id):
        report.empty = True
        with store.transaction() as session:
            edition = session.get(Edition, edition_id)
            edition.send_status = "empty"  # type: ignore[union-attr]
        event(log, logging.INFO, "mail batch", edition=edition_id, status="empty", sent=0, skipped=0, failed=0,
              seconds=round(time.perf_counter() - started, 3))
        return report
    with store.transaction() as session:
        edition = session.get(Edition, edition_id)
        edition.send_status = "sending"  # type: ignore[union-attr]
    with store.reading() as session:
        done = set(session.scalars(select(Send.subscriber_id).where(Send.edition_id == edition_id,
                                                                    Send.status != "failed")))
        readers = [(s.id, s.email, list(s.sections or [])) for s in session.scalars(
            select(Subscriber).where(Subscriber.status == CONFIRMED).order_by(Subscriber.id))]
    archive = settings.url("/editions")
    web = settings.url(f"/editions/{content.slug}") if content.slug else None
    with SmtpTransport(smtp) as transport:
        if any(sub_id not in done for sub_id, _, _ in readers):
            transport.open()
        for sub_id, email, sections in readers:
            if sub_id in done:
                report.skipped += 1
                continue
            if not _claim(store, edition_id, sub_id):
                report.skipped += 1
                continue
            reader_links = Links(archive=archive, web=web,
                                 unsubscribe=sublinks.unsubscribe_url(settings, signer, sub_id, email),
                                 preferences=sublinks.preferences_url(settings, signer, sub_id, email))
            message = edition_message(settings, content.only_sections(sections), email, reader_links)
            try:
                _send_with_retries(transport, message, smtp)
            except (smtplib.SMTPException, OSError) as exc:
                _finish(store, edition_id, sub_id, "failed", None, repr(exc))
                if isinstance(exc, smtplib.SMTPRecipientsRefused) and not is_temporary(exc):
                    _bounce(store, sub_id)  # the address itself was refused (550): never again
                report.failed += 1
                report.errors.append(f"{email}: {exc}")
                event(log, logging.WARNING, "mail failed", edition=edition_id, subscriber=sub_id, reason=str(exc))
                continue
            _finish(store, edition_id, sub_id, "sent", message["Message-ID"], None)
            report.sent += 1
            if progress:
                progress(email)
    with store.transaction() as session:
        edition = session.get(Edition, edition_id)
        edition.send_status = "sent"  # type: ignore[union-attr]
        edition.sent_at = edition.sent_at or utcnow()  # type: ignore[union-attr]
    event(log, logging.INFO, "mail batch", edition=edition_id, status="sent", sent=report.sent,
          skipped=report.skipped, failed=report.failed, seconds=round(time.perf_counter() - started, 3))
    return report


def is_temporary(exc: BaseException) -> bool:
    """Whether an SMTP failure may succeed later: a 4xx reply or a lost connection."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def _send_with_retries(transport: SmtpTransport, message: EmailMessage, smtp: SmtpSettings) -> None:
    wait = smtp.retry_seconds
    for attempt in range(smtp.retries + 1):
        try:
            transport.send(message)
            return
        except (smtplib.SMTPException, OSError) as exc:
            if not is_temporary(exc) or attempt == smtp.retries:
                raise
            transport.reset()  # the next try opens a fresh connection
            time.sleep(wait)
            wait *= 2


def _bounce(store: Store, subscriber_id: int) -> None:
    with store.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        if subscriber is not None and subscriber.status == CONFIRMED:
            subscriber.status = BOUNCED


def _claim(store: Store, edition_id: int, subscriber_id: int) -> bool:
    """Write the ``sending`` row (or turn a ``failed`` one back); False if another run has it."""
    try:
        with store.transaction() as session:
            row = session.scalars(select(Send).where(Send.edition_id == edition_id,
                                                     Send.subscriber_id == subscriber_id)).first()
            if row is None:
                session.add(Send(edition_id=edition_id, subscriber_id=subscriber_id, status="sending"))
                return True
            if row.status == "failed":
                row.status, row.error, row.started_at = "sending", None, utcnow()
                return True
            return False
    except IntegrityError:
        return False


def _finish(store: Store, edition_id: int, subscriber_id: int, status: str, message_id: str | None,
            error: str | None) -> None:
    with store.transaction() as session:
        row = session.scalars(select(Send).where(Send.edition_id == edition_id,
                                                 Send.subscriber_id == subscriber_id)).one()
        row.status, row.message_id, row.error = status, message_id, error
        if status == "sent":
            row.sent_at = utcnow()
