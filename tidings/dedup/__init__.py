"""Dedup at ingest: one canonical URL is one article; exact and near-duplicate copies are linked."""
