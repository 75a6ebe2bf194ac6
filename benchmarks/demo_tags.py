"""The demo corpus's story tags, as a reader sees them: each event of the demo newsstand through `tidings tags`.

Run from the repository root::

    .venv/bin/python -m benchmarks.demo_tags

Each ground-truth event of ``tidings/demo/corpus`` is one story line of ``python -m tidings tags`` (the
function ``tidings update`` runs, ``tidings.stories.tags.story_tags_for``): its original articles (a
syndicated copy gives way to the earliest of its group, as deduplication does), oldest first. Prints one
line a story: its id, its languages and its tags, for reading (docs/evaluation.md, "Tags").
"""

from __future__ import annotations

import json
import subprocess
import sys

from tidings.demo.corpus import load_corpus


def story_lines() -> list[dict]:
    corpus = load_corpus()
    by_id = {a.id: a for a in corpus.articles}
    copies = set()
    for group in corpus.truth.syndicated:
        first = min(group, key=lambda i: (by_id[i].published, i))
        copies.update(i for i in group if i != first)
    lines = []
    for event in corpus.truth.events:
        articles = sorted((by_id[i] for i in event.articles if i not in copies), key=lambda a: (a.published, a.id))
        lines.append({"id": event.id, "articles": [
            {"id": a.id, "title": a.title, "text": a.text, "language": a.language} for a in articles]})
    return lines


def main() -> int:
    lines = story_lines()
    done = subprocess.run([sys.executable, "-m", "tidings", "tags"], capture_output=True, text=True, check=False,
                          input="".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    answers = {a["id"]: a for a in map(json.loads, done.stdout.splitlines())}
    for line in lines:
        languages = "/".join(sorted({a["language"] for a in line["articles"]}))
        answer = answers.get(line["id"], {"error": done.stderr[-300:]})
        tags = " · ".join(t["name"] for t in answer.get("tags", [])) or answer.get("error")
        print(f"| {line['id']} | {languages} | {tags} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
