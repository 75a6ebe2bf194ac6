"""Editors: accounts with scrypt password hashes, and a login-failure limiter.

The limiter counts failed logins per client address and per account in a sliding window;
while either is over its limit, logins are refused without even checking the password."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from sqlalchemy import select

from tidings.store.newsletter_models import User
from tidings.publish.editions.security import hash_password, verify_password
from tidings.store.db import Store
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


class LoginLimiter:
    """At most ``per_account`` failures per account and ``per_ip`` per address in ``window`` seconds."""

    def __init__(self, per_account: int = 5, per_ip: int = 20, window: float = 900.0) -> None:
        self.per_account, self.per_ip, self.window = per_account, per_ip, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, ip: str, account: str, now: float | None = None) -> float:
        """Seconds until a login may be tried again (0: allowed now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = [0.0]
            for key, limit in ((f"ip:{ip}", self.per_ip), (f"acct:{account.strip().lower()}", self.per_account)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    waits.append(q[len(q) - limit] + self.window - now)
            return max(waits)

    def failed(self, ip: str, account: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(f"ip:{ip}", now).append(now)
            self._recent(f"acct:{account.strip().lower()}", now).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(f"acct:{account.strip().lower()}", None)
