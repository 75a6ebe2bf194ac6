"""Where the per-record and per-story work runs: in this process, a local process pool, or a Ray cluster.

The drivers (``tidings.pipeline``, ``tidings.stories.update``, ``tidings.summarize.refresh``,
``tidings.backfill``) plan from the store, hand batches of typed records to an executor
(:func:`tidings.engine.executors.open_executor`), and commit the results in short
transactions. The stages themselves (:mod:`tidings.engine.stages`) are pure functions over a
batch: no database, no state beyond the models a worker loads once; the engine names them
(``"features"`` -> ``tidings.stories.stage:features``) and imports none of them, so it sits below
every stage. ``[engine]`` in tidings.toml (:mod:`tidings.engine.config`) picks the executor.
"""
