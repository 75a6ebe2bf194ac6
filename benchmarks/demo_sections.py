"""The demo corpus's sections, as a reader sees them: each event of the demo newsstand through `tidings classify`.

Run from the repository root::

    .venv/bin/python -m benchmarks.demo_sections

Each ground-truth event of ``tidings/demo/corpus`` is one story line of ``python -m tidings classify``
(the function ``tidings update`` files stories with: a story's vector is the mean of its articles'
vectors, and the sections adapt to the batch), its original articles oldest first, as
``benchmarks.demo_tags`` builds them. Prints one line a story: its id, its languages, its section and
the section's share, for reading (docs/evaluation.md, "Sections").
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.demo_tags import story_lines


def main() -> int:
    lines = story_lines()
    done = subprocess.run([sys.executable, "-m", "tidings", "classify"], capture_output=True, text=True,
                          check=False,
                          input="".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    answers = {a["id"]: a for a in map(json.loads, done.stdout.splitlines())}
    for line in lines:
        languages = "/".join(sorted({a["language"] for a in line["articles"]}))
        answer = answers.get(line["id"], {"error": done.stderr[-300:]})
        if "section" in answer:
            print(f"| {line['id']} | {languages} | {answer['section']} ({answer['scores'][answer['section']]:.2f}) |")
        else:
            print(f"| {line['id']} | {languages} | {answer.get('error')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
