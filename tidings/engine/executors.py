"""Executors: run a stage of :mod:`tidings.engine.stages` over many records, batch by batch.

* :class:`InlineExecutor` runs in this process (small jobs, tests, ``workers = 1``).
* :class:`LocalExecutor` is a process pool on this machine, started with ``spawn`` (never
  forked: ``tidings serve`` runs updates from a thread, and a fork of a threaded process can
  inherit a held lock). Each worker takes its share of the cores for the models' own threads
  and loads the models once. A worker that dies mid-batch (killed, out of memory, a crash in
  native code) breaks the pool: the pool is started again, the batch is retried, and if it
  breaks it again its records run one by one so that only the record that kills a worker fails.
* :class:`RayExecutor` hands the batches to a Ray cluster: by default to a pool of long-lived
  actors that every stage shares, each loading a stage's models the first time it runs it; with
  ``engine.ray_pool = "per-stage"``, to a Ray Data ``map_batches`` with an actor pool per stage.

:meth:`Executor.map` always yields one result per record, in input order; a record that fails
yields a :class:`tidings.engine.stages.StageError` in its place. The same stage code runs in
all three, so their results are the same.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tidings.engine.config import EngineConfig
from tidings.engine.stages import StageError, init_worker, run_stage, warm

Progress = Callable[[int], None]  # called with the number of records just finished


class EngineError(RuntimeError):
    """The executor cannot run (Ray missing or unreachable ...): a clear, fatal message."""


def _batches(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


class Executor:
    """Runs stages over batches; use as a context manager (or call :meth:`close`)."""

    kind = "inline"

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()

    def map(self, stage: str, items: Sequence[Any], params: Any = None, *, batch_size: int | None = None,
            progress: Progress | None = None) -> Iterator[Any]:
        """Yield ``stage``'s result for each of ``items``, in order."""
        for batch in _batches(items, batch_size or self.config.batch_size):
            yield from self._run_inline(stage, batch, params)
            if progress:
                progress(len(batch))

    def _run_inline(self, stage: str, batch: list[Any], params: Any) -> list[Any]:
        try:
            return run_stage(stage, batch, params)
        except Exception as exc:
            return [StageError(f"{stage}: {exc.__class__.__name__}: {exc}")] * len(batch)

    def submit(self, stage: str, items: list[Any], params: Any = None) -> Future:
        """One batch, as a future of its list of results (what the async fetch loop awaits)."""
        future: Future = Future()
        future.set_result(self._run_inline(stage, items, params))
        return future

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


InlineExecutor = Executor


def _pid(_: object) -> int:
    return os.getpid()


def _worker_start(threads: int, stages: tuple[str, ...], embedder: str | None) -> None:
    init_worker(threads)
    warm(stages, embedder)


class LocalExecutor(Executor):
    """A ``spawn`` process pool of ``engine.workers`` processes (default: one per core)."""

    kind = "local"

    def __init__(self, config: EngineConfig | None = None, *, warm_stages: tuple[str, ...] = (),
                 embedder: str | None = None) -> None:
        super().__init__(config)
        self.workers = self.config.pool_size
        self.threads = max(1, (os.cpu_count() or 1) // self.workers)
        self._warm = (warm_stages, embedder)
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0  # how often a dead worker broke the pool

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start, initargs=(self.threads, *self._warm))
        return self._pool

    def _restart(self) -> None:
        self.restarts += 1
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def start(self) -> None:
        """Start every worker now (each loads its models) instead of on the first large job."""
        list(self.pool.map(_pid, range(self.workers)))

    def worker_pids(self) -> list[int]:
        """The live workers' process ids (a test kills one)."""
        return list(getattr(self._pool, "_processes", None) or {})

    def submit(self, stage: str, items: list[Any], params: Any = None) -> Future:
        return self._submit(stage, items, params)[0]

    def _submit(self, stage: str, items: list[Any], params: Any) -> tuple[Future, int]:
        """Submit to the current pool (started again if a dead worker broke it); with the pool's generation."""
        try:
            return self.pool.submit(run_stage, stage, items, params), self.restarts
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down by a restart
            self._restart()
            return self.pool.submit(run_stage, stage, items, params), self.restarts

    def _wait(self, stage: str, items: list[Any], params: Any) -> list[Any]:
        """Run one batch now; BrokenProcessPool when a worker dies on it (the pool is then restarted)."""
        future, _ = self._submit(stage, items, params)
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart()
            raise

    def _result(self, future: Future, generation: int, stage: str, batch: list[Any], params: Any) -> list[Any]:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        except Exception as exc:
            return [StageError(f"{stage}: {exc.__class__.__name__}: {exc}")] * len(batch)
        if generation == self.restarts:
            self._restart()  # this batch's pool broke: start it again (an older pool's batch just reruns)
        # once more as a whole (a neighbour's record may have killed the worker) ...
        try:
            return self._wait(stage, batch, params)
        except BrokenProcessPool:
            pass
        # ... then one record at a time, so only the record that kills a worker fails
        out: list[Any] = []
        for item in batch:
            try:
                out.extend(self._wait(stage, [item], params))
            except BrokenProcessPool:
                out.append(StageError(f"{stage}: the worker process died on this record"))
        return out

    def map(self, stage: str, items: Sequence[Any], params: Any = None, *, batch_size: int | None = None,
            progress: Progress | None = None) -> Iterator[Any]:
        if self._pool is None and (len(items) < self.config.inline_below or self.workers <= 1):
            yield from super().map(stage, items, params, batch_size=batch_size, progress=progress)
            return
        size = batch_size or self.config.batch_size
        # small jobs still spread over every worker
        size = max(1, min(size, math.ceil(len(items) / self.workers)))
        window: deque[tuple[Future, int, list[Any]]] = deque()
        upcoming = iter(_batches(items, size))
        for batch in upcoming:
            window.append((*self._submit(stage, batch, params), batch))
            if len(window) >= 2 * self.workers:
                break
        while window:
            future, generation, batch = window.popleft()
            results = self._result(future, generation, stage, batch, params)
            nxt = next(upcoming, None)
            if nxt is not None:
                window.append((*self._submit(stage, nxt, params), nxt))
            if progress:
                progress(len(batch))
            yield from results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _RayWorker:
    """A long-lived Ray actor (``engine.ray_pool = "shared"``): it loads each stage's models the first
    time it runs that stage and keeps them, so a run pays for its models once per actor, not once per
    stage and per chunk of records."""

    def __init__(self, threads: int, stages: tuple[str, ...], embedder: str | None) -> None:
        init_worker(threads)
        self.embedder = embedder
        self.warmed: set[str] = set()
        self.warm(stages)

    def warm(self, stages: tuple[str, ...]) -> None:
        todo = tuple(s for s in stages if s not in self.warmed)
        if todo:
            warm(todo, self.embedder)
            self.warmed.update(todo)

    def run(self, stage: str, items: list[Any], params: Any) -> list[Any]:
        self.warm((stage,))
        try:
            return run_stage(stage, items, params)
        except Exception as exc:
            return [StageError(f"{stage}: {exc.__class__.__name__}: {exc}")] * len(items)

    def pid(self) -> int:
        return os.getpid()


class _RayStage:
    """A Ray Data actor (``engine.ray_pool = "per-stage"``): loads the models once, then runs one stage
    over each batch it gets; its pool lives as long as one ``map``."""

    def __init__(self, stage: str, params: bytes, embedder: str | None, threads: int) -> None:
        init_worker(threads)
        self.stage = stage
        self.params = pickle.loads(params)
        warm((stage,), embedder)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        items = [pickle.loads(x) for x in batch["x"]]
        try:
            results = run_stage(self.stage, items, self.params)
        except Exception as exc:
            results = [StageError(f"{self.stage}: {exc.__class__.__name__}: {exc}")] * len(items)
        return {"i": batch["i"], "y": [pickle.dumps(r) for r in results]}


def _probe(address: str, timeout: float = 10.0) -> None:
    """Fail fast, naming the address, when a Ray head cannot be reached (``ray.init`` retries for minutes)."""
    import socket
    from urllib.parse import urlsplit

    if address in ("auto", "local", ""):
        return
    target = urlsplit(address if "://" in address else f"ray://{address}")
    host, port = target.hostname, target.port or (10001 if address.startswith("ray://") else 6379)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise EngineError(f"cannot reach the Ray cluster at {address!r}: {exc}") from None


def _ray_run(stage: str, items: list[Any], params: Any) -> list[Any]:
    return run_stage(stage, items, params)


class RayExecutor(Executor):
    """Batches run on a Ray cluster (``engine.address``: ``"auto"``, ``"local"``, ``"ray://host:10001"``).

    With ``engine.ray_pool = "shared"`` (the default) the executor starts ``concurrency`` actors once
    and hands every stage's batches to them, least busy first; with ``"per-stage"`` each ``map`` is a
    Ray Data ``map_batches`` with an actor pool of its own."""

    kind = "ray"

    def __init__(self, config: EngineConfig | None = None, *, warm_stages: tuple[str, ...] = (),
                 embedder: str | None = None) -> None:
        super().__init__(config)
        try:
            import ray
        except ImportError:
            raise EngineError("engine.kind = \"ray\" needs Ray: pip install 'tidings[ray]'") from None
        self._ray = ray
        self._embedder = embedder
        self._warm_stages = warm_stages
        self._remote: Any = None
        self._worker_class: Any = None
        self._actors: list[Any] = []
        self._lock = threading.RLock()  # submit's callbacks replace dead actors from Ray's thread
        self._turn = 0
        self.restarts = 0  # how often a dead actor was replaced
        address = self.config.address
        if not ray.is_initialized():
            _probe(address)
            kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False,
                                      "include_dashboard": False, "logging_level": "ERROR"}
            if address == "local":
                kwargs["num_cpus"] = self.config.workers or (os.cpu_count() or 1)
            else:
                kwargs["address"] = address
            try:
                try:
                    ray.init(**kwargs)
                except Exception as exc:
                    # a local node on a busy machine can miss Ray's fixed 30 s start-up wait: once more
                    if address != "local" or "timed out during startup" not in str(exc):
                        raise
                    ray.shutdown()
                    ray.init(**kwargs)
            except Exception as exc:
                raise EngineError(f"cannot reach the Ray cluster at {address!r}: "
                                  f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                                  ) from None
        from ray.data import DataContext

        context = DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        self.cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))

    # -- the shared pool of long-lived actors ------------------------------------------------------

    def _new_actor(self) -> Any:
        if self._worker_class is None:
            self._worker_class = self._ray.remote(num_cpus=1, max_restarts=0)(_RayWorker)
        return self._worker_class.remote(1, self._warm_stages, self._embedder)

    def _ensure_actors(self) -> list[Any]:
        with self._lock:
            if not self._actors:
                self._actors = [self._new_actor() for _ in range(self.config.concurrency or self.cpus)]
            return self._actors

    def start(self) -> None:
        """Start every actor now (each loads the models of ``warm_stages``) and wait for them."""
        self._ray.get([actor.pid.remote() for actor in self._ensure_actors()])

    def actor_pids(self) -> list[int]:
        """The actors' process ids (a test kills one)."""
        return list(self._ray.get([actor.pid.remote() for actor in self._ensure_actors()]))

    def _replace(self, actor: Any) -> None:
        """A dead actor's place goes to a new one (once: the other batches it held find it replaced)."""
        with self._lock:
            for slot, current in enumerate(self._actors):
                if current is actor:
                    self.restarts += 1
                    try:
                        self._ray.kill(actor, no_restart=True)
                    except Exception:  # already gone
                        pass
                    self._actors[slot] = self._new_actor()
                    return

    def _run_now(self, stage: str, batch: list[Any], params: Any, slot: int) -> list[Any]:
        """One batch on one actor, waited for; RayActorError (after replacing it) when the actor dies."""
        actor = self._actors[slot]
        try:
            result: list[Any] = self._ray.get(actor.run.remote(stage, batch, params))
            return result
        except self._ray.exceptions.RayActorError:
            self._replace(actor)
            raise

    def _result(self, ref: Any, actor: Any, slot: int, stage: str, batch: list[Any], params: Any) -> list[Any]:
        dead = self._ray.exceptions.RayActorError
        try:
            result: list[Any] = self._ray.get(ref)
            return result
        except dead:
            self._replace(actor)
        except Exception as exc:
            return [StageError(f"{stage}: {exc.__class__.__name__}: {exc}")] * len(batch)
        # once more as a whole (a neighbour's record may have killed the actor) ...
        try:
            return self._run_now(stage, batch, params, slot)
        except dead:
            pass
        # ... then one record at a time, so only the record that kills an actor fails
        out: list[Any] = []
        for item in batch:
            try:
                out.extend(self._run_now(stage, [item], params, slot))
            except dead:
                out.append(StageError(f"{stage}: the Ray actor died on this record"))
        return out

    def _map_shared(self, stage: str, items: Sequence[Any], params: Any, size: int,
                    progress: Progress | None) -> Iterator[Any]:
        actors = self._ensure_actors()
        size = max(1, min(size, math.ceil(len(items) / len(actors))))
        params_ref = self._ray.put(params)
        busy = [0] * len(actors)
        window: deque[tuple[Any, Any, int, list[Any]]] = deque()

        def send(batch: list[Any]) -> None:
            slot = min(range(len(busy)), key=busy.__getitem__)
            busy[slot] += 1
            actor = self._actors[slot]
            window.append((actor.run.remote(stage, batch, params_ref), actor, slot, batch))

        upcoming = iter(_batches(items, size))
        for batch in upcoming:
            send(batch)
            if len(window) >= 2 * len(actors):
                break
        while window:
            ref, actor, slot, batch = window.popleft()
            results = self._result(ref, actor, slot, stage, batch, params_ref)
            busy[slot] -= 1
            nxt = next(upcoming, None)
            if nxt is not None:
                send(nxt)
            if progress:
                progress(len(batch))
            yield from results

    # -- one Ray Data pipeline per stage -----------------------------------------------------------

    def _map_data(self, stage: str, items: Sequence[Any], params: Any, size: int,
                  progress: Progress | None) -> Iterator[Any]:
        import ray.data

        actors = self.config.concurrency or self.cpus
        size = max(1, min(size, math.ceil(len(items) / actors)))
        actors = max(1, min(actors, math.ceil(len(items) / size)))
        rows = [{"i": i, "x": pickle.dumps(item)} for i, item in enumerate(items)]
        dataset = ray.data.from_items(rows, override_num_blocks=math.ceil(len(items) / size)).map_batches(
            _RayStage, fn_constructor_args=(stage, pickle.dumps(params), self._embedder, 1),
            batch_size=size, compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1, batch_format="numpy")
        done = 0
        for row in dataset.iter_rows():
            if int(row["i"]) != done:
                raise EngineError(f"Ray returned record {row['i']} where {done} was expected")
            done += 1
            yield pickle.loads(row["y"])
            if progress:
                progress(1)
        if done != len(items):
            raise EngineError(f"Ray returned {done} of {len(items)} results")

    def submit(self, stage: str, items: list[Any], params: Any = None) -> Future:
        if self.config.ray_pool == "per-stage":  # a Ray task (the per-stage pools hold no CPU between maps)
            if self._remote is None:
                self._remote = self._ray.remote(num_cpus=1)(_ray_run)
            future: Future = self._remote.remote(stage, items, params).future()
            return future
        # the shared actors hold the CPUs, so single batches go to them too, in turn
        with self._lock:
            actors = self._ensure_actors()
            self._turn = (self._turn + 1) % len(actors)
            actor = actors[self._turn]
        outer: Future = Future()

        def finish(inner: Future) -> None:
            try:
                outer.set_result(inner.result())
            except self._ray.exceptions.RayActorError:
                self._replace(actor)
                outer.set_result([StageError(f"{stage}: the Ray actor died on this batch")] * len(items))
            except Exception as exc:
                outer.set_result([StageError(f"{stage}: {exc.__class__.__name__}: {exc}")] * len(items))

        actor.run.remote(stage, items, params).future().add_done_callback(finish)
        return outer

    def map(self, stage: str, items: Sequence[Any], params: Any = None, *, batch_size: int | None = None,
            progress: Progress | None = None) -> Iterator[Any]:
        if not items:
            return
        size = batch_size or self.config.batch_size
        if self.config.ray_pool == "per-stage":
            yield from self._map_data(stage, items, params, size, progress)
        else:
            yield from self._map_shared(stage, items, params, size, progress)

    def close(self) -> None:
        """Release this executor's actors (the cluster outlives one run; a local one ends with the process)."""
        with self._lock:
            for actor in self._actors:
                try:
                    self._ray.kill(actor, no_restart=True)
                except Exception:
                    pass
            self._actors = []


def open_executor(config: EngineConfig, *, warm_stages: tuple[str, ...] = (), embedder: str | None = None) -> Executor:
    """The executor ``[engine]`` asks for."""
    if config.kind == "ray":
        return RayExecutor(config, warm_stages=warm_stages, embedder=embedder)
    return LocalExecutor(config, warm_stages=warm_stages, embedder=embedder)
