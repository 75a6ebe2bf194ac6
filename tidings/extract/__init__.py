"""Extraction: an article page's full text and metadata, its language, its canonical URL."""
