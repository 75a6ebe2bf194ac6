"""Reader apps read Tidings: the Google Reader API (``/api/greader/``) and the Fever API
(``/api/fever.php``), serving one item per story with per-user read and starred state.

``models`` holds the tables, ``accounts`` the API passwords and tokens, ``items`` turns
stories into items, ``state`` answers stream queries and records read/starred marks,
``greader`` and ``fever`` are the two HTTP front ends."""
