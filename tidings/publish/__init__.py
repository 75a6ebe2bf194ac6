"""Publishing: the web site, newsletter editions, mail, feeds out and the JSON API."""
