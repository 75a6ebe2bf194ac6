"""The SMTP transport against real aiosmtpd servers: STARTTLS with certificate verification
and AUTH with the password taken from the environment variable the config names."""

from __future__ import annotations

import smtplib
import ssl
import subprocess
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.publish.newsletter.conftest import Collector, free_port
from tidings.publish.mail.settings import SmtpSettings
from tidings.publish.mail.transport import SmtpTransport


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "news@example.org", to, "hello"
    msg.set_content("hello")
    return msg


def test_starttls_verifies_the_server_certificate(certificate):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(str(cert), str(key))
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=server_context,
                            require_starttls=True)
    controller.start()
    try:
        trusted = SmtpSettings(host="127.0.0.1", port=controller.port, starttls=True, cafile=str(cert), timeout=10)
        with SmtpTransport(trusted) as transport:
            transport.send(message("tls@example.org"))
        assert len(handler.to("tls@example.org")) == 1
        untrusted = SmtpSettings(host="127.0.0.1", port=controller.port, starttls=True, timeout=10)
        with pytest.raises(ssl.SSLCertVerificationError):
            with SmtpTransport(untrusted) as transport:
                transport.send(message("never@example.org"))
        assert handler.to("never@example.org") == []
    finally:
        controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_uses_the_password_from_the_named_variable(monkeypatch):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"news" and auth_data.password == b"s3cret pass"
        return AuthResult(success=ok)

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret pass")
        settings = SmtpSettings(host="127.0.0.1", port=controller.port, username="news",
                                password_env="TEST_SMTP_PASSWORD", timeout=10)
        with SmtpTransport(settings) as transport:
            transport.send(message("auth@example.org"))
        assert seen == [(b"news", b"s3cret pass")] and len(handler.to("auth@example.org")) == 1
        # a wrong password is refused (smtplib then tries its next mechanism, which aiosmtpd leaves
        # hanging until the timeout: either way an SMTP error, and nothing delivered)
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
        quick = SmtpSettings(host="127.0.0.1", port=controller.port, username="news",
                             password_env="TEST_SMTP_PASSWORD", timeout=1)
        with pytest.raises(smtplib.SMTPException):
            with SmtpTransport(quick) as transport:
                transport.send(message("denied@example.org"))
        assert seen[-1] == (b"news", b"wrong") and handler.to("denied@example.org") == []
    finally:
        controller.stop()
