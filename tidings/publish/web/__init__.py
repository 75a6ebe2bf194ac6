"""The web site: a server-rendered Starlette app (``app.create_app``), no JavaScript needed."""
