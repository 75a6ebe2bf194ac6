"""Build the email messages: the confirmation request and an edition (text + HTML alternative)
with RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from tidings.publish.editions.content import EditionContent
from tidings.publish.editions.render import Links, render_html, render_text
from tidings.publish.editions.settings import NewsletterSettings


def _domain(settings: NewsletterSettings) -> str:
    address = parseaddr(settings.from_address)[1]
    return address.rpartition("@")[2] or "localhost"


def _base(settings: NewsletterSettings, to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.from_address
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=_domain(settings))
    return msg


def confirmation_message(settings: NewsletterSettings, to: str, confirm_url: str) -> EmailMessage:
    msg = _base(settings, to, f"Confirm your subscription to {settings.name}")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Someone (we hope you) asked to receive {settings.name} at this address.\n\n"
        f"To confirm, open this link:\n{confirm_url}\n\n"
        "If it was not you, ignore this message: nothing will be sent without confirmation.\n"
    )
    return msg


def unsubscribe_mailto(settings: NewsletterSettings) -> str:
    return settings.unsubscribe_mailto or parseaddr(settings.from_address)[1]


def edition_message(settings: NewsletterSettings, content: EditionContent, to: str, links: Links) -> EmailMessage:
    """One reader's copy of an edition. ``links.unsubscribe`` must be that reader's signed link."""
    if not links.unsubscribe:
        raise ValueError("an edition message needs an unsubscribe link")
    msg = _base(settings, to, content.title)
    mailto = unsubscribe_mailto(settings)
    msg["List-Unsubscribe"] = f"<{links.unsubscribe}>, <mailto:{mailto}?subject=unsubscribe>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Id"] = f"{content.name} <newsletter.{_domain(settings)}>"
    msg["Precedence"] = "bulk"
    msg.set_content(render_text(content, links))
    msg.add_alternative(render_html(content, links), subtype="html")
    return msg


def address_ok(email: str) -> bool:
    """A plausible single mailbox (no display name, no header injection)."""
    if not email or len(email) > 320 or any(c in email for c in "\r\n<>,; \t\"'()"):
        return False
    try:
        addr = Address(addr_spec=email)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return bool(addr.username) and "." in addr.domain
