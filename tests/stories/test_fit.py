"""The words and bands the story page and the API give a join score (tidings.stories.fit)."""

from tidings.stories.fit import JoinFit, join_fit


def test_bands_follow_the_documented_cuts():
    assert join_fit(0.834) == JoinFit(0.83, "strong", "fits this story: 0.83 — strong")
    assert join_fit(0.70).band == "strong" and join_fit(0.6999).band == "moderate"
    assert join_fit(0.50).band == "moderate" and join_fit(0.4999).band == "weak"
    assert join_fit(0.38).band == "weak"  # the default join threshold


def test_below_the_threshold_the_article_opened_a_story():
    assert join_fit(0.21) == JoinFit(0.21, "opened", "opened this story")
    assert join_fit(0.37, first=False) == JoinFit(0.37, "merged", "opened a story merged into this one")
    assert join_fit(0.45, threshold=0.5).band == "opened"  # the configured threshold counts


def test_copies_editors_and_unscored_articles():
    assert join_fit(None, copy=True) == JoinFit(None, "copy", "")
    assert join_fit(0.9, editor=True) == JoinFit(None, "editor", "placed here by an editor")
    assert join_fit(None) == JoinFit(None, None, "")
    assert join_fit(0.9, editor=True).as_dict() == {"join_score": None, "join_band": "editor"}
