"""Parsing: RSS, Atom, JSON Feed and XML sitemaps into FeedEntry records, safely."""
