"""The compiled kernel's threads: OpenMP's, so threadpoolctl, OMP_NUM_THREADS and
n_jobs decide how many run, and a process forked after a fit can fit again.

Thread counts are read from /proc/self/task (Linux) by a sampling thread while a
fit runs, in a fresh interpreter each time (OpenMP keeps its idle threads for the
life of a process, so an earlier fit in this one would be counted).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from logitlab.backends import compiled
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.models.losses import MULTINOMIAL

needs_compiled = pytest.mark.skipif(
    not compiled.available(), reason="compiled kernel not built or LOGITLAB_COMPILED=0"
)
linux_only = pytest.mark.skipif(
    not os.path.isdir("/proc/self/task"), reason="counts threads in /proc/self/task"
)

_COUNT = textwrap.dedent(
    """
    import os, sys, threading, time
    import numpy as np
    from threadpoolctl import threadpool_limits
    from logitlab.backends import compiled
    from logitlab.backends.compiled import CompiledObjective
    from logitlab.models.losses import MULTINOMIAL

    compiled._MIN_PARALLEL_WORK = 0  # small epochs on threads too

    rng = np.random.default_rng(0)
    X = np.where(rng.random((20000, 50)) < 0.2, rng.normal(size=(20000, 50)), 0.0)
    y = rng.integers(0, 10, 20000)
    W, b = rng.normal(size=(50, 10)), np.zeros(10)
    counts, done = [], threading.Event()

    def sample():
        while not done.is_set():
            counts.append(len(os.listdir("/proc/self/task")))
            time.sleep(0.0005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    time.sleep(0.05)
    before = max(counts)
    for n_jobs, limit in SCENARIOS:  # in turn: OpenMP keeps the threads it starts
        objective = CompiledObjective(MULTINOMIAL, X, y, n_jobs=n_jobs)
        with threadpool_limits(*limit):
            for _ in range(20):
                objective.loss_grad(W, b)
        time.sleep(0.01)
        print(max(counts) - before)
    done.set()
    sampler.join()
    """
)


def _extra_threads(scenarios, env=None) -> list[int]:
    """For (n_jobs, threadpool_limits arguments) in turn, in a fresh interpreter: the
    threads started so far by 20 epochs under each, beyond those before the first."""
    out = subprocess.run(
        [sys.executable, "-c", _COUNT.replace("SCENARIOS", repr(scenarios))],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return [int(line) for line in out.stdout.split()]


@needs_compiled
@linux_only
def test_threadpool_limits_n_jobs_and_omp_num_threads_are_obeyed():
    blas_only = (None, "blas")
    assert _extra_threads(
        [(None, (1,)), (None, (1, "openmp")), (1, blas_only), (2, blas_only)]
    ) == [0, 0, 0, 1]  # the last shows that the count sees the threads started
    env = {"OMP_NUM_THREADS": "1"}
    assert _extra_threads([(None, blas_only), (None, (2, "openmp"))], env) == [0, 1]


@needs_compiled
def test_threadpoolctl_sees_the_kernels_openmp():
    from threadpoolctl import threadpool_info, threadpool_limits

    assert any(lib["user_api"] == "openmp" for lib in threadpool_info())
    with threadpool_limits(1):
        assert compiled.threads_for(None) == 0  # OpenMP's default: now 1
        assert all(
            lib["num_threads"] == 1
            for lib in threadpool_info()
            if lib["user_api"] == "openmp"
        )


def _problem(n=5000, d=300):
    """Big enough for the compiled kernel (n·d ≥ its threshold), 3 classes."""
    rng = np.random.default_rng(1)
    X = np.where(rng.random((n, d)) < 0.2, rng.normal(size=(n, d)), 0.0)
    return X, (X[:, :3].argmax(axis=1) + (X[:, 3] > 0)) % 3


def _fit(cls):
    X, y = _problem()
    if cls is LogisticRegressionGD:
        y = y % 2
    return cls(learning_rate=0.5, max_iter=8, momentum=0.9).fit(X, y).coef_


def _fork_and_fit(cls) -> np.ndarray:
    """cls's coef_ fitted in a child of os.fork(); fails (not hangs) after 60 s."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # Python 3.12 warns about fork in threaded code
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        try:
            os.write(write_end, _fit(cls).tobytes())
        finally:
            os._exit(0)
    os.close(write_end)
    import select

    ready, _, _ = select.select([read_end], [], [], 60)
    if not ready:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return np.frombuffer(b"".join(chunks))


@needs_compiled
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.parametrize("cls", [LogisticRegressionGD, SoftmaxRegressionGD])
def test_fit_fork_fit(cls, monkeypatch):
    monkeypatch.setattr(compiled, "_MIN_PARALLEL_WORK", 0)  # threads for every epoch
    X, y = _problem()
    assert compiled.worth_it(X, None)  # the fits below use the compiled kernel
    CompiledObjective = compiled.CompiledObjective
    CompiledObjective(MULTINOMIAL, X, y, n_jobs=2).loss_grad(np.zeros((300, 3)), 0.0)
    want = _fit(cls)  # the parent has run OpenMP regions on two threads
    got = _fork_and_fit(cls)
    np.testing.assert_array_equal(got.reshape(want.shape), want)
    np.testing.assert_array_equal(_fit(cls), want)  # and the parent still can


def _coef_in_child(_: int) -> np.ndarray:
    return _fit(SoftmaxRegressionGD)


@needs_compiled
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_multiprocessing_fork_pool_after_a_fit(monkeypatch):
    monkeypatch.setattr(compiled, "_MIN_PARALLEL_WORK", 0)
    want = _fit(SoftmaxRegressionGD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with multiprocessing.get_context("fork").Pool(2) as pool:
            results = pool.map_async(_coef_in_child, range(2)).get(timeout=120)
    for got in results:
        np.testing.assert_array_equal(got, want)
