"""Signed tokens, password hashes and the generated secret."""

from __future__ import annotations

import stat

import pytest

from tidings.config import Config
from tidings.publish.editions.security import (
    SECRET_FILE,
    BadToken,
    Signer,
    hash_password,
    load_secret,
    verify_password,
)


def test_tokens_carry_purpose_and_expiry_and_resist_tampering():
    signer = Signer(b"k" * 32)
    token = signer.sign("unsubscribe", {"s": 7, "e": "a@example.org"})
    assert signer.verify("unsubscribe", token) == {"s": 7, "e": "a@example.org"}
    with pytest.raises(BadToken):
        signer.verify("confirm", token)  # an unsubscribe token is no confirmation
    with pytest.raises(BadToken):
        Signer(b"other key").verify("unsubscribe", token)
    body, mac = token.split(".")
    forged = Signer(b"x").sign("unsubscribe", {"s": 8, "e": "a@example.org"}).split(".")[0] + "." + mac
    with pytest.raises(BadToken):
        signer.verify("unsubscribe", forged)
    short = signer.sign("confirm", {"s": 1}, ttl=60, now=1000.0)
    assert signer.verify("confirm", short, now=1059.0) == {"s": 1}
    with pytest.raises(BadToken):
        signer.verify("confirm", short, now=1061.0)
    for junk in ("", ".", "abc", "a.b.c", token + "x"):
        with pytest.raises(BadToken):
            signer.verify("unsubscribe", junk)


def test_password_hashes_are_salted_scrypt():
    first, second = hash_password("hunter2 hunter2"), hash_password("hunter2 hunter2")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("hunter2 hunter2", first) and verify_password("hunter2 hunter2", second)
    assert not verify_password("hunter3 hunter3", first)
    assert not verify_password("hunter2 hunter2", "garbage") and not verify_password("x", "md5$1$2$3$4$5")


def test_secret_is_generated_once_privately_next_to_the_database(tmp_path):
    config = Config(database_url=f"sqlite:///{tmp_path / 'data' / 'tidings.db'}")
    first = load_secret(config)
    path = tmp_path / "data" / SECRET_FILE
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(config) == first and len(first) >= 64
    configured = Config(database_url=config.database_url, raw={"newsletter": {"secret": "from the config"}})
    assert load_secret(configured) == b"from the config"
