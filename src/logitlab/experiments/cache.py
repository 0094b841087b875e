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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from logitlab._atomic import atomic_write_bytes, atomic_write_text, sweep_temporaries
from logitlab._console import progress_bar

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


def run_jobs(
    cache: ResultCache,
    jobs: Sequence[Job],
    *,
    n_jobs: int = 1,
    desc: str = "experiments",
    bar: Any = None,
) -> list[dict[str, Any]]:
    """Results of `jobs` in order: cached ones loaded, the rest computed (in parallel).

    Put long jobs first: workers take them in order. Each finished job is stored at
    once, by the process that ran it. `bar`: a progress bar shared by a whole run,
    advanced by each job's `cost` (cached ones at once) and left open; without it a
    bar of this call's jobs is shown.
    """
    results: list[dict[str, Any] | None] = [
        cache.load(j.name, j.settings) for j in jobs
    ]
    todo = [i for i, r in enumerate(results) if r is None]
    own = bar is None
    if own:
        bar = progress_bar(len(jobs), desc=desc, initial=len(jobs) - len(todo))
    else:
        bar.update(sum(j.cost for j, r in zip(jobs, results, strict=True) if r))

    def step(i: int) -> float:
        return 1 if own else jobs[i].cost

    try:
        if n_jobs == 1 or len(todo) <= 1:
            for i in todo:
                results[i] = _run_and_store(cache.root.parent, jobs[i])
                bar.update(step(i))
        else:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            done = parallel(
                delayed(_indexed)(i, cache.root.parent, jobs[i]) for i in todo
            )
            for i, result in done:
                results[i] = result
                bar.update(step(i))
    finally:
        if own:
            bar.close()
    return [r for r in results if r is not None]


def _indexed(i: int, root: Path, job: Job) -> tuple[int, dict[str, Any]]:
    return i, _run_and_store(root, job)
