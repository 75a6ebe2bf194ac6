"""Fetching: polite, bounded, SSRF-guarded HTTP (robots.txt, conditional GET, limits)."""
