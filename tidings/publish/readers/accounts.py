"""API passwords and tokens of the reader APIs.

An editor gets an API password with ``tidings users api-password EMAIL``; it is separate from
the login password and stored only as hashes: scrypt for Google Reader's ClientLogin, and
SHA-256 of Fever's key (``md5("email:password")``, which is what Fever clients send) so that
key can be looked up. ClientLogin answers a signed token that expires (``[readers]
token_hours``) and dies at once when the API password changes (it carries ``key_version``)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from tidings.publish.editions.security import BadToken, Signer, hash_password, verify_password
from tidings.publish.editions.users import UserError
from tidings.store.db import Store
from tidings.store.newsletter_models import User
from tidings.store.reader_models import ReaderAccount
from tidings.timeutil import utcnow

MIN_API_PASSWORD = 10
TOKEN_PURPOSE = "greader"
ACTION_PURPOSE = "greader-action"
_DUMMY_HASH = hash_password("not a real API password, only for timing")


@dataclass(frozen=True, slots=True)
class ReaderUser:
    id: int
    email: str
    unread_on_update: bool
    key_version: int


def fever_key(email: str, password: str) -> str:
    """What a Fever client sends as ``api_key``."""
    return hashlib.md5(f"{email}:{password}".encode()).hexdigest()


def _fever_hash(key: str) -> str:
    return hashlib.sha256(key.strip().lower().encode()).hexdigest()


def set_api_password(store: Store, email: str, password: str | None = None) -> str:
    """Give the user a new API password (random when None) and return it; older tokens stop working."""
    password = password if password is not None else secrets.token_urlsafe(18)
    if len(password) < MIN_API_PASSWORD:
        raise UserError(f"the API password needs at least {MIN_API_PASSWORD} characters")
    with store.transaction() as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise UserError(f"no user {email}")
        account = session.get(ReaderAccount, user.id)
        fever = _fever_hash(fever_key(user.email, password))
        if account is None:
            session.add(ReaderAccount(user_id=user.id, api_password_hash=hash_password(password),
                                      fever_key_hash=fever, key_version=1, unread_on_update=False, state_version=0,
                                      updated_at=utcnow()))
        else:
            account.api_password_hash = hash_password(password)
            account.fever_key_hash = fever
            account.key_version += 1
            account.updated_at = utcnow()
    return password


def set_unread_on_update(store: Store, email: str, value: bool) -> None:
    with store.transaction() as session:
        row = session.execute(select(ReaderAccount).join(User, User.id == ReaderAccount.user_id)
                              .where(User.email == email.strip().lower())).scalar_one_or_none()
        if row is None:
            raise UserError(f"{email} has no API password yet: run `tidings users api-password {email}` first")
        row.unread_on_update = value


def _user(session, user: User, account: ReaderAccount) -> ReaderUser:
    return ReaderUser(user.id, user.email, bool(account.unread_on_update), account.key_version)


def login(store: Store, email: str, password: str) -> ReaderUser | None:
    """The user whose API password this is, or None (the time taken does not tell which part was wrong)."""
    with store.reading() as session:
        row = session.execute(select(User, ReaderAccount).join(ReaderAccount, ReaderAccount.user_id == User.id)
                              .where(User.email == email.strip().lower(), User.active.is_(True))).first()
        if row is None:
            verify_password(password, _DUMMY_HASH)
            return None
        user, account = row
        if not verify_password(password, account.api_password_hash):
            return None
        return _user(session, user, account)


def issue_token(signer: Signer, user: ReaderUser, hours: float) -> str:
    """A ClientLogin token: base64url and a dot, never '=' (libgreader splits the answer on it)."""
    return signer.sign(TOKEN_PURPOSE, {"u": user.id, "v": user.key_version}, ttl=hours * 3600)


def token_claims(signer: Signer, token: str) -> tuple[int, int] | None:
    """(user id, key version) of a valid, unexpired ClientLogin token; None for any other string."""
    try:
        data = signer.verify(TOKEN_PURPOSE, token)
        return int(data["u"]), int(data["v"])
    except (BadToken, KeyError, TypeError, ValueError):
        return None


def fever_key_hash(key: str) -> str | None:
    """What the database holds for a Fever ``api_key`` (None for a key that cannot be one)."""
    return _fever_hash(key) if key and len(key) <= 64 else None


def action_token(signer: Signer, user: ReaderUser, hours: float) -> str:
    """The ``T`` token that Google Reader clients send with every write."""
    return signer.sign(ACTION_PURPOSE, {"u": user.id, "v": user.key_version}, ttl=hours * 3600)


def check_action_token(signer: Signer, user: ReaderUser, token: str) -> bool:
    try:
        data = signer.verify(ACTION_PURPOSE, token)
    except BadToken:
        return False
    return data.get("u") == user.id and data.get("v") == user.key_version
