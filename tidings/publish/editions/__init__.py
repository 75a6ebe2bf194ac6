"""Newsletter editions: drafting from the top stories, editing, publishing and archiving.

Nothing heavy is imported here: ``tidings.store.models`` imports :mod:`.models` at its end so
Alembic sees the tables, and that must not pull in rendering or mail code."""
