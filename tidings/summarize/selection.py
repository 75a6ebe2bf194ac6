"""Choosing a summary's sentences: the lead (:func:`pick_lead`), then the exact budgeted maximum-coverage
program (:func:`select_ilp`, HiGHS through ``scipy.optimize.milp``, its output kept off standard output) or
the greedy gain-per-length fallback (:func:`select_greedy`), then the retellings dropped
(:func:`drop_retellings`) and, past the budget, the one sentence that best fills it (:func:`overflow`).
No two chosen sentences say one thing (:func:`~tidings.summarize.sentence_space.redundant`)."""

from __future__ import annotations

import math
import os
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tidings.summarize.extractive_config import DEFAULT_CONFIG, ExtractiveConfig
from tidings.summarize.redundancy import retells, same_fact, same_numbers
from tidings.summarize.sentence_space import Sentence, Space, cosine, full_words, redundant, twins
from tidings.summarize.sentence_words import tokens


def pick_lead(candidates: Sequence[Sentence], weights: dict[tuple[str, str], float],
              config: ExtractiveConfig = DEFAULT_CONFIG) -> Sentence | None:
    """The story's one-line lead: an article's first sentence (else one of its first three) that covers much of
    what the outlets share, from a central article, of the length of a news lead (18-45 words)."""
    if not candidates:
        return None

    def score(s: Sentence) -> float:
        worth = sum(weights.get(c, 0.0) for c in s.concepts)
        distance = max(0, 18 - s.words, s.words - 45)
        return (worth / s.words ** config.lead_length_power + 1.0) * math.exp(-distance / 15) * (1.0 + s.salience)
    early = ([s for s in candidates if s.index == 0 and 12 <= s.words <= 50]
             or [s for s in candidates if s.index <= 2 and 12 <= s.words <= 50] or list(candidates))
    return max(early, key=score)


def select_greedy(space: Space, candidates: list[Sentence], weights: dict[tuple[str, str], float], budget: int,
                  config: ExtractiveConfig) -> list[Sentence]:
    chosen: list[Sentence] = []
    covered: set[tuple[str, str]] = set()
    used = 0
    top_salience = max((s.salience for s in candidates), default=1.0) or 1.0
    pool = [s for s in candidates if s.words <= budget]
    seen_texts: set[str] = set()
    while pool and len(chosen) < config.max_sentences:
        best, best_score = None, 0.0
        for s in pool:
            if used + s.words > budget:
                continue
            gain = sum(weights.get(c, 0.0) for c in s.concepts if c not in covered)
            score = gain * (1.0 + config.salience_weight * s.salience / top_salience) / (s.words ** config.length_power)
            if score > best_score:
                best, best_score = s, score
        if best is None:
            break
        pool.remove(best)
        key = " ".join(tokens(best.text))
        if key in seen_texts or any(redundant(space, best, c, config) for c in chosen):
            continue
        seen_texts.add(key)
        chosen.append(best)
        covered.update(best.concepts)
        used += best.words
    return chosen


@contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """While the MILP solver runs, the process's standard output (file descriptor 1) goes to standard error:
    HiGHS sometimes prints a debug line there ("HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();", seen at 200 words on the demo), which broke ``tidings summarize``'s JSON Lines."""
    try:
        out_fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        err_fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else 2
    except (OSError, ValueError):
        out_fd, err_fd = 1, 2
    try:
        saved = os.dup(out_fd)
    except OSError:  # no standard output to protect
        yield
        return
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        os.dup2(err_fd, out_fd)
        yield
    finally:
        os.dup2(saved, out_fd)
        os.close(saved)


def select_ilp(space: Space, candidates: list[Sentence], weights: dict[tuple[str, str], float], budget: int,
               config: ExtractiveConfig) -> list[Sentence] | None:
    """Exact budgeted maximum coverage: choose sentences (at most ``max_sentences``, at most ``budget`` words,
    no two redundant ones) maximising the worth of the concepts they cover plus their salience.
    Returns ``None`` when the solver finds nothing in time."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    pool = [s for s in candidates if s.words <= budget]
    if not pool:
        return []
    top_salience = max((s.salience for s in pool), default=1.0) or 1.0

    def greedy_score(s: Sentence) -> float:
        gain = sum(weights.get(c, 0.0) for c in s.concepts)
        return gain * (1.0 + config.salience_weight * s.salience / top_salience) / (s.words ** config.length_power)

    pool = sorted(pool, key=greedy_score, reverse=True)[: config.ilp_pool]
    concept_ids: dict[tuple[str, str], int] = {}
    for s in pool:
        for c in s.concepts:
            if c in weights and c not in concept_ids:
                concept_ids[c] = len(concept_ids)
    n, m = len(pool), len(concept_ids)
    words = np.array([s.words for s in pool], dtype=float)
    worth = np.array([weights[c] for c in concept_ids], dtype=float)
    per_word = (worth.sum() / max(1.0, words.sum())) if m else 1.0
    # the bonus grows with the words a sentence brings; a compressed version is credited with its original's
    # words, so that it wins over the original unless the words it drops carried concepts
    bonus = np.array([config.salience_weight * (s.salience / top_salience) * full_words(s) * per_word
                      * config.ilp_bonus for s in pool])
    objective = -np.concatenate([bonus, worth])
    rows, cols, vals = [], [], []
    r = 0
    # budget and sentence count
    for j in range(n):
        rows += [0, 1]
        cols += [j, j]
        vals += [words[j], 1.0]
    lower, upper = [-np.inf, -np.inf], [float(budget), float(config.max_sentences)]
    r = 2
    # a concept counts only if a chosen sentence has it: y_i - sum_j x_j <= 0
    has: dict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(pool):
        for c in s.concepts:
            if c in concept_ids:
                has[concept_ids[c]].append(j)
    for i in range(m):
        rows.append(r)
        cols.append(n + i)
        vals.append(1.0)
        for j in has[i]:
            rows.append(r)
            cols.append(j)
            vals.append(-1.0)
        lower.append(-np.inf)
        upper.append(0.0)
        r += 1
    # no two redundant sentences
    idx = np.array([s.row for s in pool])
    sims = (space.matrix[idx] @ space.matrix[idx].T).toarray()
    keys = [" ".join(tokens(s.text)) for s in pool]
    for a in range(n):
        for b in range(a + 1, n):
            if (sims[a, b] > config.redundancy_threshold or keys[a] == keys[b] or twins(pool[a], pool[b])
                    or same_fact(pool[a].text, pool[b].text, pool[a].language, config.fact_overlap)
                    or retells(pool[a].stems, pool[b].stems, config.retell_words, config.retell_share)
                    or same_numbers(pool[a].text, pool[b].text, pool[a].language, config.retell_numbers)):
                rows += [r, r]
                cols += [a, b]
                vals += [1.0, 1.0]
                lower.append(-np.inf)
                upper.append(1.0)
                r += 1
    matrix = coo_matrix((np.array(vals), (np.array(rows), np.array(cols))), shape=(r, n + m)).tocsr()
    with solver_output_to_stderr():
        result = milp(
            objective,
            constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
            integrality=np.ones(n + m, dtype=np.int_),
            bounds=Bounds(np.zeros(n + m), np.ones(n + m)),
            options={"time_limit": config.ilp_time_limit, "disp": False},
        )
    if result.x is None:
        return None
    return [pool[j] for j in range(n) if result.x[j] > 0.5]


def drop_retellings(space: Space, chosen: list[Sentence], lead: Sentence | None,
                    weights: dict[tuple[str, str], float], config: ExtractiveConfig) -> list[Sentence]:
    """``chosen`` without retellings: a sentence none of whose worthy concepts is missing from the others kept
    (the lead's concepts are not in ``weights``) and that is close to the lead or to one of them (TF-IDF cosine
    above ``retelling_similarity``, or one fact at half the usual word overlap). The least worthy goes first."""
    kept = list(chosen)

    def adds(s: Sentence) -> float:
        others = set().union(*(t.concepts for t in kept if t is not s))
        return sum(weights.get(c, 0.0) for c in s.concepts if c not in others)

    def says_again(s: Sentence) -> bool:
        near = ([lead] if lead is not None else []) + [t for t in kept if t is not s]
        return any(cosine(space, t, s) > config.retelling_similarity
                   or same_fact(t.text, s.text, s.language, config.fact_overlap / 2) for t in near)

    changed = True
    while changed:
        changed = False
        for s in sorted(kept, key=adds):
            if adds(s) > 0:
                break
            if says_again(s):
                kept.remove(s)
                changed = True
                break
    return kept


def overflow(space: Space, body: Sequence[Sentence], chosen: Sequence[Sentence], lead: Sentence | None,
             weights: dict[tuple[str, str], float], config: ExtractiveConfig,
             longest: int | None = None) -> Sentence | None:
    """The sentence that best adds to ``chosen`` past the budget, of at most ``longest`` words (None: any)."""
    taken = list(chosen) + ([lead] if lead else [])
    covered: set[tuple[str, str]] = set()
    for s in taken:
        covered.update(s.concepts)
    best, best_gain = None, 0.0
    for s in body:
        if s in taken or (longest is not None and s.words > longest) \
                or any(redundant(space, t, s, config) for t in taken):
            continue
        gain = (sum(weights.get(c, 0.0) for c in s.concepts if c not in covered)
                * (1.0 + config.salience_weight * s.salience))
        if gain > best_gain:
            best, best_gain = s, gain
    return best
