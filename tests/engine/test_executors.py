"""The executors run one stage code in this process or in spawned worker processes, in order,
and a record that kills its worker fails alone."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests.engine import stages_for_tests
from tidings.engine.config import EngineConfig
from tidings.engine.executors import InlineExecutor, LocalExecutor
from tidings.engine.stages import StageError

STAGE = "tests.engine.stages_for_tests"


@pytest.fixture(scope="module")
def local():
    with LocalExecutor(EngineConfig(workers=2, batch_size=4, inline_below=0)) as executor:
        yield executor


def test_results_come_back_in_order_one_per_record(local):
    assert list(local.map(f"{STAGE}:square", list(range(50)))) == [x * x for x in range(50)]
    assert list(InlineExecutor(EngineConfig(batch_size=4)).map(f"{STAGE}:square", list(range(50)))) == \
        [x * x for x in range(50)]


def test_workers_are_spawned_not_forked(monkeypatch):
    # a forked worker would inherit this module's state from the (threaded) parent; a spawned one starts clean
    monkeypatch.setattr(stages_for_tests, "MARK", "from the parent")
    with LocalExecutor(EngineConfig(workers=2, batch_size=2, inline_below=0)) as executor:
        assert set(executor.map(f"{STAGE}:mark", list(range(8)))) == {"unset"}
        assert os.getpid() not in set(executor.map(f"{STAGE}:pid", list(range(8))))


def test_a_record_that_kills_its_worker_fails_alone(local):
    results = list(local.map(f"{STAGE}:die_on", list(range(20)), 13))
    assert isinstance(results[13], StageError) and "died" in str(results[13])
    assert [r for i, r in enumerate(results) if i != 13] == [x + 1 for x in range(20) if x != 13]
    # the pool was started again and still works
    assert list(local.map(f"{STAGE}:square", [2, 3])) == [4, 9]


def test_a_worker_killed_from_outside_mid_batch_loses_nothing(local):
    list(local.map(f"{STAGE}:square", list(range(8))))  # the pool is up
    victims = local.worker_pids()
    assert victims

    def kill_one() -> None:
        time.sleep(1.0)
        os.kill(victims[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    results = list(local.map(f"{STAGE}:slow", list(range(16)), 0.5))
    killer.join()
    assert results == [x + 1 for x in range(16)]  # the killed batch ran again
    assert victims[0] not in local.worker_pids()


def test_a_stage_that_raises_fails_its_batch_only(local):
    results = list(local.map(f"{STAGE}:fail_on", list(range(12)), 5, batch_size=4))
    assert all(isinstance(r, StageError) and "bad record 5" in str(r) for r in results[4:8])
    assert results[:4] + results[8:] == [1, 2, 3, 4, 9, 10, 11, 12]


def test_engine_settings_are_typed_and_checked():
    config = EngineConfig.from_table({"kind": "ray", "address": "ray://head:10001", "batch_size": 8}, environ={})
    assert (config.kind, config.address, config.batch_size) == ("ray", "ray://head:10001", 8)
    assert EngineConfig.from_table({}, environ={"TIDINGS_ENGINE__WORKERS": "3"}).workers == 3
    with pytest.raises(ValueError, match="engine.kind"):
        EngineConfig.from_table({"kind": "spark"}, environ={})
    with pytest.raises(ValueError, match="unknown setting engine.threads"):
        EngineConfig.from_table({"threads": 2}, environ={})


def test_workers_keep_to_their_share_of_the_cores_when_the_parent_loaded_numpy(tmp_path):
    """A spawned worker imports its parent's main module before its initializer runs; when that
    module imports numpy (the command line, a benchmark), OpenBLAS has already started a thread per
    core, and two workers' spinning threads on two cores doubled the tags stage's CPU. Each worker
    runs on its share: cores // workers."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = tmp_path / "main_with_numpy.py"
    script.write_text(
        "import numpy  # loaded by the main module, before any worker starts\n"
        "from tidings.engine.config import EngineConfig\n"
        "from tidings.engine.executors import LocalExecutor\n"
        "if __name__ == '__main__':\n"
        "    with LocalExecutor(EngineConfig(workers=2, inline_below=0)) as ex:\n"
        f"        print(sorted(set(ex.map('{STAGE}:blas_threads', list(range(8)), batch_size=1))))\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root)}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)  # as a user's shell has them: unset
    done = subprocess.run([sys.executable, str(script)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([max(1, (os.cpu_count() or 1) // 2)])
