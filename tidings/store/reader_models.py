"""Tables of the reader APIs (migration ``0006``): API accounts, items and per-user state.

An item is a story as reader apps see it. Its id is the time (in microseconds since the epoch)
at which Tidings first listed the story for the apps, made unique and increasing, as FreshRSS
numbers its entries: Fever's ``since_id`` and Google Reader's ``ot`` both page on it.
``tidings.store.models`` imports this module so that loading the models loads every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tidings.store.base import Base, UTCDateTime
from tidings.timeutil import utcnow


class ReaderAccount(Base):
    """A user's API password (separate from the login password) and reader settings."""

    __tablename__ = "reader_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    api_password_hash: Mapped[str] = mapped_column(String(512))  # scrypt, for ClientLogin
    fever_key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of md5("email:password")
    key_version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change: old tokens die
    unread_on_update: Mapped[bool] = mapped_column(Boolean, default=False)  # a changed story turns unread
    state_version: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every mark: cached id lists expire
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReaderItem(Base):
    """A story's item id."""

    __tablename__ = "reader_items"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), unique=True)


class ReaderState(Base):
    """One user's marks on one item: read (and when) and starred (and when)."""

    __tablename__ = "reader_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("reader_items.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
