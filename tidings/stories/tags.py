"""Tags of a story: its topic words and phrases and its named entities, normalised and ranked.

A story's tags come from all its articles' titles and texts. Three kinds of
candidate compete: single words (their variants merged by Snowball stem, scored by
frequency, first position and, given a document-frequency table, how few other
stories use them, with the language's stopwords removed and capitalised words, i.e.
names, left to NER), YAKE's lower-case two-word phrases ("open-source model"), and
named entities from :mod:`tidings.stories.entities` (scored by mentions and presence
in a title; a quarter of the places kept for names; a person shown by the surname
where the text mostly uses it alone). :func:`tag_candidates` describes every candidate
by language-agnostic features and :func:`rank_candidates` orders them by the
logistic weights of :mod:`tidings.stories.tag_rank`, fitted on 500N-KPCrowd's dev
slice (or by the hand-set weights below, ``ranker="hand"``). All are keyed the same way (case,
accents, plurals, possessives, hyphens and aliases folded), so "open-source models"
and "Open-Source model" are one tag, "Meta Platforms" joins "Meta", and the words of
a name ("LeCun", "Parlement") fold into it. The list comes best first, with a
display name in title case where the text wrote the word in lower case
("open-source model" -> "Open-Source Model"), leaving acronyms and brand spellings
("GPT-4o", "DeepSeek") as written.

The stage is split into modules of one job, all re-exported here (``from tidings.stories.tags import ...``):
:mod:`~tidings.stories.tag_words` (keys, stop words, word statistics, the document-frequency table),
:mod:`~tidings.stories.tag_candidates` (the candidates and their features),
:mod:`~tidings.stories.tag_rank` (the learned and hand rankings, :func:`tags_for`) and
:mod:`~tidings.stories.tag_pick` (a story page's pick, :func:`story_tags_for`)."""

from __future__ import annotations

from tidings.stories.tag_candidates import (
    DF_WEIGHT,
    ENTITY_BASE,
    ENTITY_LONG,
    ENTITY_TITLE,
    ENTITY_WEIGHT,
    PHRASE_WEIGHT,
    SURNAME_TAGS,
    WORD_CAPITALISED,
    WORD_FREQ,
    WORD_POSITION,
    WORD_TITLE,
    WORD_TITLE_ONLY,
    WORD_YAKE,
    Candidate,
    tag_candidates,
)
from tidings.stories.tag_pick import (
    GENERIC_KEYS,
    MAX_ENTITY_TAGS,
    MAX_PHRASE_WORDS,
    STORY_TAGS,
    TAG_ARTICLES,
    TAG_CANDIDATES,
    TAG_CHARS,
    TAG_STORY_CHARS,
    WIDE_CANDIDATES,
    TagText,
    join_phrases,
    lead_text,
    names_across_languages,
    story_tags,
    story_tags_for,
)
from tidings.stories.tag_rank import NAME_SHARE, RANKER, rank_candidates, reserve_names, tags_for
from tidings.stories.tag_words import (
    NOT_TAGS,
    NOUNS_CAPITALISED,
    YAKE_CANDIDATES,
    DocFreq,
    Tag,
    cooccurrence_rank,
    display_name,
    document_frequencies,
    document_terms,
    is_not_a_tag,
    keyphrases,
    sentence_case_title,
    stem_key,
    stopwords,
    tag_key,
)

__all__ = [
    "DF_WEIGHT", "ENTITY_BASE", "ENTITY_LONG", "ENTITY_TITLE", "ENTITY_WEIGHT", "GENERIC_KEYS", "MAX_ENTITY_TAGS",
    "MAX_PHRASE_WORDS", "NAME_SHARE", "NOT_TAGS", "NOUNS_CAPITALISED", "PHRASE_WEIGHT", "RANKER", "STORY_TAGS",
    "SURNAME_TAGS", "TAG_ARTICLES", "TAG_CANDIDATES", "TAG_CHARS", "TAG_STORY_CHARS", "WIDE_CANDIDATES",
    "WORD_CAPITALISED", "WORD_FREQ", "WORD_POSITION", "WORD_TITLE", "WORD_TITLE_ONLY", "WORD_YAKE",
    "YAKE_CANDIDATES", "Candidate", "DocFreq", "Tag", "TagText", "cooccurrence_rank", "display_name",
    "document_frequencies", "document_terms", "is_not_a_tag", "join_phrases", "keyphrases", "lead_text",
    "names_across_languages", "rank_candidates", "reserve_names", "sentence_case_title", "stem_key",
    "stopwords", "story_tags", "story_tags_for", "tag_candidates", "tag_key", "tags_for",
]
