"""Subscribers and mail: double opt-in, one-click unsubscribe, SMTP sending with a send log."""
