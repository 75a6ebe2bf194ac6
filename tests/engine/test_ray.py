"""A REAL local Ray cluster (``address = "local"``: ``ray.init(num_cpus=2)``) runs the same stage code
as the local pool: the same results in the same order, and a backfill builds identical stories and
summaries with either executor. Ray's start-up is slow on 2 cores, so these tests are few."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backfill.warc import demo_pages, outcome, write_warc
from tidings.backfill.run import backfill
from tidings.config import load_config
from tidings.engine.config import EngineConfig
from tidings.engine.executors import LocalExecutor, RayExecutor
from tidings.engine.stages import StageError
from tidings.store.db import Store

pytestmark = pytest.mark.slow
STAGE = "tests.engine.stages_for_tests"


@pytest.fixture(scope="module")
def ray_executor():
    ray = pytest.importorskip("ray")
    executor = RayExecutor(EngineConfig(kind="ray", address="local", workers=2, batch_size=4))
    yield executor
    executor.close()
    ray.shutdown()


def test_ray_runs_the_stages_in_order_and_reports_failures_per_batch(ray_executor):
    assert list(ray_executor.map(f"{STAGE}:square", list(range(30)))) == [x * x for x in range(30)]
    results = list(ray_executor.map(f"{STAGE}:fail_on", list(range(12)), 5, batch_size=4))
    assert all(isinstance(r, StageError) for r in results[4:8])
    assert results[:4] + results[8:] == [1, 2, 3, 4, 9, 10, 11, 12]
    assert ray_executor.submit(f"{STAGE}:square", [3, 4]).result(timeout=300) == [9, 16]


def test_local_and_ray_backfills_build_identical_stories_and_summaries(tmp_path, ray_executor):
    archive = tmp_path / "demo.warc.gz"
    write_warc(archive, list(demo_pages())[:8])
    built = {}
    for name, executor in (("local", LocalExecutor(EngineConfig(workers=2, inline_below=0))), ("ray", ray_executor)):
        db = tmp_path / f"{name}.db"
        toml = tmp_path / f"{name}.toml"
        toml.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
        config = load_config(toml, environ={})
        store = Store(config.database_url)
        report = backfill(config, store, [archive], executor=executor)
        store.close()
        if name == "local":
            executor.close()
        assert report.new == 8 and not report.errors
        built[name] = outcome(Path(db))
    (stories_local, summaries_local), (stories_ray, summaries_ray) = built["local"], built["ray"]
    assert stories_local == stories_ray and len(stories_local) > 1
    assert summaries_local == summaries_ray and len(summaries_local) == len(stories_local)
