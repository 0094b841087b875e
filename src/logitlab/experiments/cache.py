"""Experiment results cached by a hash of their settings, so an interrupted run resumes.

Each result is a flat dict: NumPy arrays go to `<name>-<hash>.npz`, everything else to
`<name>-<hash>.json`. The JSON file is written last and marks the entry complete, so a
run killed half-way through an entry leaves nothing that looks finished. Both files are
written atomically.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from joblib import effective_n_jobs
from joblib.externals.loky import get_reusable_executor
from threadpoolctl import threadpool_limits

from logitlab._atomic import atomic_write_bytes, atomic_write_text, sweep_temporaries

# Bump when an experiment's code changes what a cached result means.
CACHE_VERSION = 1


def _jsonable(value: Any) -> Any:
    """Settings may hold tuples, NumPy scalars and dataclass-like values.

    Unlike `logitlab._json.plain` this keeps NaN (Python's json round-trips it): a
    cached result must read back exactly as it was computed.
    """
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def settings_hash(name: str, settings: dict[str, Any]) -> str:
    """A short stable digest of the experiment name and its settings."""
    payload = json.dumps(
        {"name": name, "settings": _jsonable(settings), "version": CACHE_VERSION},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


class ResultCache:
    """Results under `root/cache/`, one JSON (+ optional npz) per experiment setting."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root) / "cache"
        sweep_temporaries(self.root)  # what a killed run left half-written

    def _stem(self, name: str, settings: dict[str, Any]) -> Path:
        return self.root / f"{name}-{settings_hash(name, settings)}"

    def load(self, name: str, settings: dict[str, Any]) -> dict[str, Any] | None:
        """The stored result, or None when this setting has not finished before."""
        stem = self._stem(name, settings)
        meta_path = stem.with_suffix(".json")
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            result: dict[str, Any] = meta["result"]
            if meta.get("arrays"):
                with np.load(stem.with_suffix(".npz")) as npz:
                    result.update({k: npz[k] for k in meta["arrays"]})
        except (OSError, ValueError, KeyError):
            return None  # a damaged entry is recomputed, never trusted
        return result

    def save(self, name: str, settings: dict[str, Any], result: dict[str, Any]) -> None:
        stem = self._stem(name, settings)
        arrays = {k: v for k, v in result.items() if isinstance(v, np.ndarray)}
        plain = {k: _jsonable(v) for k, v in result.items() if k not in arrays}
        if arrays:
            buffer = io.BytesIO()
            np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
            atomic_write_bytes(stem.with_suffix(".npz"), buffer.getvalue())
        meta = {
            "name": name,
            "settings": _jsonable(settings),
            "arrays": sorted(arrays),
            "result": plain,
        }
        atomic_write_text(stem.with_suffix(".json"), json.dumps(meta, indent=1))

    def get_or_compute(
        self,
        name: str,
        settings: dict[str, Any],
        compute: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The cached result, or compute it now and store it before returning."""
        cached = self.load(name, settings)
        if cached is not None:
            return cached
        result = compute()
        self.save(name, settings, result)
        # Round-trip so a fresh and a resumed run hand back identical types.
        loaded = self.load(name, settings)
        assert loaded is not None
        return loaded


@dataclass(frozen=True)
class Job:
    """One cacheable experiment: `func(settings)` must be a module-level function.

    `cost`: its estimated compute seconds on one quiet core, the weight of its step on
    a whole run's progress bar (so the bar's rate and ETA are in seconds of work).
    """

    name: str
    func: Callable[[dict[str, Any]], dict[str, Any]]
    settings: dict[str, Any]
    cost: float = 1.0


def _run_and_store(root: Path, job: Job) -> dict[str, Any]:
    """Worker side: compute and store, so a finished job survives an interrupted run.

    The compute time is stored with the result (`elapsed_s`), so a resumed run can
    still report what the whole reproduction costs.
    """

    def timed() -> dict[str, Any]:
        start = time.perf_counter()
        # One BLAS thread per job: the jobs themselves are the parallelism, and a
        # multi-threaded OpenBLAS on a busy 2-core machine runs several times slower.
        with threadpool_limits(limits=1):
            result = job.func(job.settings)
        return {**result, "elapsed_s": time.perf_counter() - start}

    return ResultCache(root).get_or_compute(job.name, job.settings, timed)


class JobPool:
    """Worker processes for a whole run: jobs go in as they become known, and the
    costliest waiting job starts whenever a worker is free.

    One pool for every experiment of a run keeps both cores busy to the end: a job
    that must wait for others (the report's final model waits for the nested CV's
    choice of C) joins the same queue instead of starting a second round of workers.
    Cached jobs are loaded at `submit`; the rest run in loky's reusable worker
    processes (joblib's own), or here with `n_jobs=1`, in the order submitted. Each
    finished job is stored at once, by the process that ran it. `warm_up`, a picklable
    callable with a stable repr, runs once in each worker before its first job: load
    all the data the jobs share there, so no job pays for it and the worker's memory
    does not grow job by job (loky restarts a worker that grows by more than 300 MB
    after its first job, with a warning).

    `bar` advances by each job's `cost` as it finishes (cached ones at once).
    """

    def __init__(
        self,
        cache: ResultCache,
        *,
        n_jobs: int = 1,
        bar: Any = None,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        self.cache, self._bar = cache, bar
        self.n_jobs = effective_n_jobs(n_jobs)  # -1: every core
        self._warm_up = warm_up
        self._results: dict[str, dict[str, Any]] = {}
        self._waiting: dict[str, Job] = {}  # in submission order
        self._running: dict[Future[dict[str, Any]], tuple[str, Job]] = {}
        self._executor: Any = None

    def __enter__(self) -> JobPool:
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        if kind is not None:
            self.stop()

    def stop(self) -> None:
        """Stop the workers now, whatever they are doing (after a failure)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, kill_workers=True)
            self._executor = None

    def call(self, func: Callable[..., Any], *args: Any) -> Future[Any]:
        """`func(*args)` on a worker beside this process (here, with n_jobs=1): a
        picklable function and arguments; its future."""
        if self.n_jobs == 1:
            future: Future[Any] = Future()
            future.set_result(func(*args))
            return future
        return self._workers().submit(func, *args)

    def _workers(self) -> Any:
        if self._executor is None:
            self._executor = get_reusable_executor(max_workers=self.n_jobs)
        return self._executor

    def submit(self, jobs: Sequence[Job]) -> list[str]:
        """Queue `jobs` (a job already queued or done is not run twice); their keys."""
        keys = []
        for job in jobs:
            key = job.name + "-" + settings_hash(job.name, job.settings)
            keys.append(key)
            if key in self._results or key in self._waiting or self._started(key):
                continue
            cached = self.cache.load(job.name, job.settings)
            if cached is None:
                self._waiting[key] = job
            else:
                self._finish(key, job, cached)
        return keys

    def collect(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The results under `keys`, in that order, once all of them are done."""
        while any(k not in self._results for k in keys):
            if self.n_jobs == 1:
                key, job = next(iter(self._waiting.items()))
                del self._waiting[key]
                self._finish(key, job, _run_and_store(self.cache.root.parent, job))
            else:
                self._dispatch_and_wait()
        return [self._results[k] for k in keys]

    def run(self, jobs: Sequence[Job]) -> list[dict[str, Any]]:
        """`submit` then `collect`: the results of `jobs`, in order."""
        return self.collect(self.submit(jobs))

    def _started(self, key: str) -> bool:
        return any(k == key for k, _ in self._running.values())

    def _finish(self, key: str, job: Job, result: dict[str, Any]) -> None:
        self._results[key] = result
        if self._bar is not None:
            self._bar.update(job.cost)

    def _dispatch_and_wait(self) -> None:
        """Start the costliest waiting jobs on the free workers; wait for one."""
        while self._waiting and len(self._running) < self.n_jobs:
            key = max(self._waiting, key=lambda k: self._waiting[k].cost)
            job = self._waiting.pop(key)
            future = self._workers().submit(
                _warm_run_and_store, self._warm_up, self.cache.root.parent, job
            )
            self._running[future] = (key, job)
        done, _ = wait(self._running, return_when=FIRST_COMPLETED)
        for future in done:
            key, job = self._running.pop(future)
            self._finish(key, job, future.result())


_WARMED: set[str] = set()  # in a worker: the warm-ups done in this process


def _warm_run_and_store(
    warm_up: Callable[[], None] | None, root: Path, job: Job
) -> dict[str, Any]:
    """Worker side: the pool's warm-up first, once per process, then the job."""
    if warm_up is not None and repr(warm_up) not in _WARMED:
        warm_up()
        _WARMED.add(repr(warm_up))
    return _run_and_store(root, job)
