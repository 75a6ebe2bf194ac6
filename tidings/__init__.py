"""Tidings: a self-hosted AI news desk.

Many news sources in; a few well-told stories out, every sentence credited to the
outlets that reported it. See README.md for the two commands that matter.
"""

__version__ = "0.1.0"
