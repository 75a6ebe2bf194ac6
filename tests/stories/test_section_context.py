"""The section vectors `tidings update` keeps, and the recent ones it adapts the sections to."""

from datetime import timedelta

import numpy as np

from tidings.store.models import Story
from tidings.stories.update import recent_section_vectors
from tidings.timeutil import utcnow


def _vec(value: float, dim: int = 4) -> bytes:
    v = np.full(dim, value, dtype="<f4")
    return (v / np.linalg.norm(v)).astype("<f4").tobytes() if value else v.tobytes()


def test_recent_section_vectors_newest_first_live_matching_width_only(store):
    now = utcnow()
    with store.transaction() as s:
        for i in range(5):  # s0 newest ... s4 oldest
            s.add(Story(id=f"s{i}", last_published=now - timedelta(hours=i), section_vector=_vec(i + 1)))
        s.add(Story(id="merged", last_published=now, merged_into="s0", section_vector=_vec(9)))
        s.add(Story(id="other-model", last_published=now, section_vector=_vec(1, dim=6)))
        s.add(Story(id="never-filed", last_published=now))
    rows = recent_section_vectors(store, exclude={"s1"}, dim=4, limit=3)
    expected = np.vstack([np.frombuffer(_vec(k), dtype="<f4") for k in (1, 3, 4)])  # s0, s2, s3
    assert rows.shape == (3, 4)
    assert np.allclose(rows, expected)
    assert recent_section_vectors(store, dim=4, limit=10).shape == (5, 4)
    assert recent_section_vectors(store, dim=6).shape == (1, 6)


def test_no_filed_story_gives_an_empty_context(store):
    rows = recent_section_vectors(store, dim=384)
    assert rows.shape == (0, 384)
