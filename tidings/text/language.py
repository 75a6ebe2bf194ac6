"""Language identification of article text with py3langid.

Unrestricted on purpose: Tidings reads outlets in any language, and limiting
the classifier to a short list would confidently mislabel everything outside
it (a Catalan or Dutch article called "es" or "de"). Instead the answer is
withheld (``None``) when the text is too short to judge or the classifier's
normalised probability is low. Regional and script variants the model knows
(``arz``, ``ary``, ``uzs``, ``yue``, ``wuu``) fold into their ISO 639-1 macro
language; a language with no ISO 639-1 code, and ``zxx`` (no linguistic
content), give ``None``.
"""

from __future__ import annotations

import threading

__all__ = ["MIN_CONFIDENCE", "MIN_LETTERS", "detect_language", "language_scores"]

MIN_LETTERS = 20  # fewer letters than this: no verdict
MIN_CONFIDENCE = 0.5  # normalised probability of the best language
MAX_CHARS = 3000  # the first few paragraphs are enough and keep it fast

_FOLD = {"arz": "ar", "ary": "ar", "uzs": "uz", "yue": "zh", "wuu": "zh"}
_lock = threading.Lock()
_identifier = None


def _get_identifier():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def _iso639_1(label: str) -> str | None:
    label = _FOLD.get(label, label)
    return label if len(label) == 2 and label.isalpha() else None


def language_scores(text: str, top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` most likely languages with their normalised probabilities."""
    ranked = _get_identifier().rank(text[:MAX_CHARS])
    return [(label, float(score)) for label, score in ranked[:top]]


def detect_language(text: str | None, *, min_confidence: float = MIN_CONFIDENCE) -> str | None:
    """ISO 639-1 code of ``text``'s language, or ``None`` when unsure.

    ``None`` for text with fewer than :data:`MIN_LETTERS` letters, for a best
    guess below ``min_confidence``, and for languages without a two-letter code.
    """
    if not text:
        return None
    sample = text[:MAX_CHARS]
    if sum(1 for ch in sample if ch.isalpha()) < MIN_LETTERS:
        return None
    label, confidence = _get_identifier().classify(sample)
    if confidence < min_confidence:
        return None
    return _iso639_1(label)
