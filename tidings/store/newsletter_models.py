"""Tables of the newsletter: editions, their items, editors, subscribers and the send log.

They subclass :class:`tidings.store.base.Base` so one metadata (and one set of Alembic
migrations, here ``0004``) covers them; ``tidings.store.models`` imports this module so that
loading the models loads every table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tidings.store.base import Base, UTCDateTime
from tidings.timeutil import utcnow

DRAFT = "draft"
PUBLISHED = "published"


class Edition(Base):
    """One issue of the newsletter. A draft is editable; a published edition is frozen:
    ``content`` (the snapshot it was rendered from) and the three renderings never change."""

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)  # set at publish: /editions/<slug>
    title: Mapped[str] = mapped_column(Text, default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)  # draft, published
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # stories newer than this were drafted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # send at or after this
    send_status: Mapped[str | None] = mapped_column(String(16))  # sending, sent, empty
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the frozen snapshot
    html: Mapped[str | None] = mapped_column(Text)
    markdown: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[EditionItem]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="EditionItem.position"
    )


class EditionItem(Base):
    """A story placed in an edition, with the editor's changes (order, pin, drop, wording)."""

    __tablename__ = "edition_items"
    __table_args__ = (UniqueConstraint("edition_id", "story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[str] = mapped_column(String(32), index=True)
    section: Mapped[str | None] = mapped_column(String(100))  # the story's section when drafted
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within its section
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # kept at the top of its section
    dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    headline: Mapped[str | None] = mapped_column(Text)  # editor's headline, else the summary's
    body: Mapped[str | None] = mapped_column(Text)  # editor's text, else the cited summary

    edition: Mapped[Edition] = relationship(back_populates="items")


class User(Base):
    """An editor who may log in to /editor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(512))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscriber(Base):
    """A reader's address: pending until the confirmation link is followed (double opt-in)."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending, confirmed, unsubscribed
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)  # sections wanted; empty: all
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Send(Base):
    """The send log: one row per edition and subscriber, written before the SMTP transaction.

    ``sending`` means the message may have left; a later run never retries it (at most once)."""

    __tablename__ = "sends"
    __table_args__ = (UniqueConstraint("edition_id", "subscriber_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending, sent, failed
    message_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
