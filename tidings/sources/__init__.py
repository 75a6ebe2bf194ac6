"""Sources: the registry of feeds and sites Tidings reads, OPML in and out, feed discovery."""
