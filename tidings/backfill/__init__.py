"""``tidings backfill``: a history of articles from web archives (WARC, CC-NEWS) or JSON Lines dumps."""
