"""The result cache: round trip, keys by settings, and resuming an interrupted run."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future

import numpy as np
import pytest

from logitlab.experiments import cache as cache_mod
from logitlab.experiments.cache import (
    Job,
    JobPool,
    ResultCache,
    settings_hash,
)


def test_round_trip_keeps_arrays_and_plain_values(tmp_path):
    cache = ResultCache(tmp_path)
    result = {"coef": np.arange(6.0).reshape(2, 3), "acc": 0.5, "curve": [1.0, 2.0]}
    cache.save("exp", {"lr": 0.1, "digits": (2, 3)}, result)
    loaded = cache.load("exp", {"lr": 0.1, "digits": [2, 3]})  # tuple == list in JSON
    assert loaded is not None
    np.testing.assert_array_equal(loaded["coef"], result["coef"])
    assert loaded["acc"] == 0.5 and loaded["curve"] == [1.0, 2.0]
    # the JSON file is readable on its own and names its settings
    (meta,) = (tmp_path / "cache").glob("exp-*.json")
    assert json.loads(meta.read_text())["settings"] == {"lr": 0.1, "digits": [2, 3]}


def test_other_settings_are_another_entry(tmp_path):
    cache = ResultCache(tmp_path)
    cache.save("exp", {"lr": 0.1}, {"acc": 1.0})
    assert cache.load("exp", {"lr": 0.2}) is None
    assert cache.load("other", {"lr": 0.1}) is None
    assert settings_hash("exp", {"a": 1, "b": 2}) == settings_hash(
        "exp", {"b": 2, "a": 1}
    )


def test_a_damaged_entry_is_recomputed_not_trusted(tmp_path):
    cache = ResultCache(tmp_path)
    cache.save("exp", {"x": 1}, {"w": np.ones(3)})
    (npz,) = (tmp_path / "cache").glob("exp-*.npz")
    npz.write_bytes(b"truncated")
    assert cache.load("exp", {"x": 1}) is None
    calls = []
    out = cache.get_or_compute(
        "exp", {"x": 1}, lambda: calls.append(1) or {"w": np.zeros(3)}
    )
    assert calls == [1] and out["w"].tolist() == [0.0, 0.0, 0.0]


def _square(settings):
    return {"y": settings["x"] ** 2}


def test_interrupted_run_resumes_without_recomputing(tmp_path, monkeypatch):
    calls: list[int] = []

    def flaky(settings):
        if settings["x"] == 3 and not calls.count(-1):
            calls.append(-1)
            raise KeyboardInterrupt  # the user pressed Ctrl-C during the 4th job
        calls.append(settings["x"])
        return _square(settings)

    jobs = [Job("sq", flaky, {"x": x}) for x in range(6)]
    cache = ResultCache(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        JobPool(cache).run(jobs)
    assert calls == [0, 1, 2, -1]
    calls.clear()
    calls.append(-1)  # the second run is not interrupted
    results = JobPool(cache).run(jobs)
    assert calls == [-1, 3, 4, 5]  # 0, 1, 2 came from the cache
    assert [r["y"] for r in results] == [x * x for x in range(6)]
    assert all(r["elapsed_s"] >= 0 for r in results)


def test_parallel_workers_store_each_result(tmp_path):
    # `dict` is picklable by reference: each worker returns a copy of its settings.
    jobs = [Job("copy", dict, {"x": x}) for x in range(4)]
    with JobPool(ResultCache(tmp_path), n_jobs=2) as pool:
        results = pool.run(jobs)
    assert [r["x"] for r in results] == [0, 1, 2, 3]  # in job order, not finish order
    assert len(list((tmp_path / "cache").glob("copy-*.json"))) == 4
    # a second run loads all four without starting a worker
    cached = JobPool(ResultCache(tmp_path)).run(
        [Job(j.name, _fail, j.settings) for j in jobs]
    )
    assert [r["x"] for r in cached] == [0, 1, 2, 3]


def _fail(settings):
    raise AssertionError("should have come from the cache")


def test_results_are_written_atomically(tmp_path, monkeypatch):
    """A failure while writing leaves no file that looks finished."""
    cache = ResultCache(tmp_path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cache_mod, "atomic_write_text", broken)
    with pytest.raises(OSError):
        cache.save("exp", {"x": 1}, {"w": np.ones(2)})
    assert cache.load("exp", {"x": 1}) is None


class _Bar:
    """Records what a shared progress bar is told."""

    def __init__(self):
        self.updates: list[float] = []

    def update(self, n):
        self.updates.append(n)


def test_a_whole_run_bar_advances_by_each_jobs_cost_cached_ones_at_once(tmp_path):
    cache = ResultCache(tmp_path)
    jobs = [Job("sq", _square, {"x": x}, cost=10.0 * (x + 1)) for x in range(3)]
    JobPool(cache).run(jobs[:1])  # the first is cached before the run
    bar = _Bar()
    with JobPool(cache, bar=bar) as pool:
        keys = pool.submit(jobs)
        assert bar.updates == [10.0]  # the cached one, at once
        pool.collect(keys)
    assert bar.updates == [10.0, 20.0, 30.0]


def test_a_job_submitted_twice_runs_once(tmp_path):
    calls: list[int] = []

    def counted(settings):
        calls.append(settings["x"])
        return _square(settings)

    with JobPool(ResultCache(tmp_path)) as pool:
        first = pool.submit([Job("sq", counted, {"x": 2})])
        again = pool.submit([Job("sq", counted, {"x": x}) for x in (2, 3)])
        assert first == again[:1]
        assert [r["y"] for r in pool.collect(again)] == [4, 9]
    assert calls == [2, 3]


_WARM: dict[str, int] = {}


def _warm_up():
    _WARM["pid"] = os.getpid()


def _warmed(settings):
    """Run in a worker: whether its warm-up ran there first."""
    return {"warm": _WARM.get("pid") == os.getpid()}


def test_each_worker_warms_up_before_its_first_job(tmp_path):
    jobs = [Job("w", _warmed, {"x": x}) for x in range(6)]
    with JobPool(ResultCache(tmp_path), n_jobs=2, warm_up=_warm_up) as pool:
        assert all(r["warm"] for r in pool.run(jobs))


class _InlineExecutor:
    """Runs each submitted call at once and records the jobs' order."""

    def __init__(self):
        self.order: list[int] = []

    def submit(self, func, *args):
        self.order.append(args[-1].settings["x"])
        future = Future()
        future.set_result(func(*args))
        return future


def test_free_workers_take_the_costliest_waiting_job(tmp_path, monkeypatch):
    executor = _InlineExecutor()
    monkeypatch.setattr(cache_mod, "get_reusable_executor", lambda **kw: executor)
    costs = [1, 5, 3, 9, 2]
    jobs = [Job("sq", _square, {"x": x}, cost=c) for x, c in enumerate(costs)]
    with JobPool(ResultCache(tmp_path), n_jobs=2) as pool:
        assert [r["y"] for r in pool.run(jobs)] == [x * x for x in range(5)]
    assert executor.order == [3, 1, 2, 4, 0]
