"""A REAL local Ray cluster (``address = "local"``: ``ray.init(num_cpus=2)``) runs the same stage code
as the local pool: the same results in the same order with either of its pools (long-lived shared
actors, or Ray Data per stage), an actor that dies mid-batch costs only the record that killed it,
and a backfill builds identical stories and summaries with either executor. Ray's start-up is slow
on 2 cores, so these tests are few."""

from __future__ import annotations

import os
import signal
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


@pytest.mark.parametrize("pool", ["shared", "per-stage"])
def test_ray_runs_the_stages_in_order_and_reports_failures_per_batch(ray_executor, pool):
    if pool == "shared":
        executor = ray_executor
    else:  # the shared actors hold both CPUs until released (the fixture starts them again when asked)
        ray_executor.close()
        executor = RayExecutor(EngineConfig(kind="ray", address="local", workers=2, batch_size=4, ray_pool=pool))
    assert list(executor.map(f"{STAGE}:square", list(range(30)))) == [x * x for x in range(30)]
    results = list(executor.map(f"{STAGE}:fail_on", list(range(12)), 5, batch_size=4))
    assert all(isinstance(r, StageError) for r in results[4:8])
    assert results[:4] + results[8:] == [1, 2, 3, 4, 9, 10, 11, 12]
    assert executor.submit(f"{STAGE}:square", [3, 4]).result(timeout=300) == [9, 16]


def test_shared_actors_outlive_a_stage_and_a_dead_one_costs_only_its_record(ray_executor):
    before = sorted(ray_executor.actor_pids())
    assert len(before) == 2
    # two stages, one after the other, run in the same two processes (the models stay loaded)
    assert set(ray_executor.map(f"{STAGE}:pid", list(range(16)), batch_size=2)) == set(before)
    assert list(ray_executor.map(f"{STAGE}:square", list(range(8)))) == [x * x for x in range(8)]
    assert sorted(ray_executor.actor_pids()) == before
    # a record that kills its actor: the batch is retried, then run record by record on new actors
    restarts = ray_executor.restarts
    results = list(ray_executor.map(f"{STAGE}:die_on", list(range(12)), 5, batch_size=4))
    assert isinstance(results[5], StageError) and "died" in str(results[5])
    assert results[:5] + results[6:] == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    assert ray_executor.restarts > restarts
    # an actor killed from outside between two jobs: the next job still gets every result
    os.kill(ray_executor.actor_pids()[0], signal.SIGKILL)
    assert list(ray_executor.map(f"{STAGE}:square", list(range(10)), batch_size=2)) == [x * x for x in range(10)]


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
