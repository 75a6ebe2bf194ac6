"""Failed-login rate limits kept in the database, so every worker process shares them.

:class:`DbLimiter` counts events (failed logins, confirmation mails asked for) per client
address and per account in a sliding window, in the ``auth_failures`` table (migration
``0006``). While either count is at its limit, :meth:`DbLimiter.retry_after` says how long to
wait."""

from __future__ import annotations

import time

from sqlalchemy import bindparam, delete, select

from tidings.store.models import AuthFailure

_RECENT = (select(AuthFailure.at).where(AuthFailure.key == bindparam("key"), AuthFailure.at > bindparam("since"))
           .order_by(AuthFailure.at.desc()).limit(bindparam("limit")))


class DbLimiter:
    """At most ``per_account`` events per account and ``per_ip`` per address in ``window`` seconds."""

    def __init__(self, store, scope: str, per_account: int = 5, per_ip: int = 20,  # store: tidings.store.db.Store
                 window: float = 900.0) -> None:
        self.store, self.scope = store, scope
        self.per_account, self.per_ip, self.window = per_account, per_ip, window

    def _keys(self, ip: str, account: str) -> list[tuple[str, int]]:
        keys = [(f"{self.scope}:ip:{ip}"[:400], self.per_ip)]
        if account.strip():
            keys.append((f"{self.scope}:acct:{account.strip().lower()}"[:400], self.per_account))
        return keys

    def retry_after(self, ip: str, account: str, now: float | None = None) -> float:
        """Seconds until a login may be tried again (0: allowed now). Every Fever request asks, so
        it is one prepared query a key on a bare connection."""
        now = time.time() if now is None else now
        waits = [0.0]
        with self.store.engine.connect() as connection:
            for key, limit in self._keys(ip, account):
                recent = list(connection.execute(_RECENT, {"key": key, "since": now - self.window, "limit": limit})
                              .scalars())
                if len(recent) >= limit:
                    waits.append(recent[-1] + self.window - now)
        return max(waits)

    def failed(self, ip: str, account: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.store.transaction() as session:
            session.execute(delete(AuthFailure).where(AuthFailure.at <= now - self.window,
                                                      AuthFailure.key.like(f"{self.scope}:%")))
            session.add_all([AuthFailure(key=key, at=now) for key, _ in self._keys(ip, account)])

    def succeeded(self, account: str) -> None:
        if not account.strip():
            return
        with self.store.transaction() as session:
            session.execute(delete(AuthFailure).where(
                AuthFailure.key == f"{self.scope}:acct:{account.strip().lower()}"[:400]))
