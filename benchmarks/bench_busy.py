"""The compiled kernel on a busy machine, its idle CPU cost and its thread counts.

    LOGITLAB_MNIST_DIR=idx/ python benchmarks/bench_busy.py [--rounds 9]

1. One 10-class full-batch epoch (loss and gradient) on the 60,000 MNIST training
   images, standardised, float64 and float32: `prepare(...)` (the compiled kernel)
   against `prepare(..., backend="numpy")` (the NumPy reference), first on an idle
   machine, then while one busy-looping process per core keeps every core busy. The
   contenders run in turn, half the rounds in reverse order; the median is shown (the
   best of a busy run measures a lucky time slice). Target: ratio >= 1.5 when busy.
2. CPU time of this process for a fit, and for the same fit followed by 2 s of sleep:
   idle OpenMP threads that spin would show up as extra CPU time in the second.
3. Threads started during 20 epochs (read from /proc/self/task by a sampling thread)
   without limits, under `threadpool_limits(1)` and with `n_jobs=1`, each in a fresh
   interpreter (OpenMP keeps the threads it started).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from logitlab.backends import compiled, prepare
from logitlab.data import load_mnist
from logitlab.data.tasks import make_task, standardize
from logitlab.estimators import SoftmaxRegressionGD
from logitlab.models.losses import MULTINOMIAL


def burn() -> None:
    """Keep one core busy until killed."""
    while True:
        pass


def medians(contenders: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Median wall time of each contender, run in turn, every other round reversed."""
    for fn in contenders.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders.items())
    for i in range(rounds):
        for name, fn in order if i % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def epochs(X: Any, y: Any, rounds: int) -> None:
    print("[1] one 10-class full-batch epoch, 60,000 images (median ms)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        W = (0.01 * np.random.default_rng(0).standard_normal((784, 10))).astype(dtype)
        b = np.zeros(10, dtype)
        fast = prepare(MULTINOMIAL, Xd, y)
        reference = prepare(MULTINOMIAL, Xd, y, backend="numpy")
        contenders = {
            "compiled": lambda: fast.loss_grad(W, b),  # noqa: B023 - used at once
            "numpy": lambda: reference.loss_grad(W, b),  # noqa: B023
        }
        for state in ("idle", "busy"):
            burners = []
            if state == "busy":
                ctx = multiprocessing.get_context("spawn")
                burners = [ctx.Process(target=burn, daemon=True) for _ in range(cores)]
                for p in burners:
                    p.start()
                time.sleep(0.5)
            try:
                t = medians(contenders, rounds)
            finally:
                for p in burners:
                    p.terminate()
                    p.join()
            print(
                f"  {np.dtype(dtype).name} {state:4s} ({len(burners)} burners): "
                f"compiled {t['compiled'] * 1e3:7.1f}  numpy {t['numpy'] * 1e3:7.1f}"
                f"  ratio {t['numpy'] / t['compiled']:5.2f}"
            )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def idle_cost(X: Any, y: Any) -> None:
    print("[2] CPU time of this process (all its threads)")
    fit = lambda: SoftmaxRegressionGD(max_iter=20).fit(X, y)  # noqa: E731
    fit()  # warm: OpenMP's threads exist from here on
    start = cpu_seconds()
    fit()
    during_fit = cpu_seconds() - start
    time.sleep(2.0)
    after_sleep = cpu_seconds() - start
    print(
        f"  fit {during_fit:.3f} s; fit + 2 s sleep {after_sleep:.3f} s "
        f"(+{after_sleep - during_fit:.3f} s while idle)"
    )


_THREADS = """
import os, threading, time
import numpy as np
from threadpoolctl import threadpool_limits
from logitlab.backends import prepare
from logitlab.models.losses import MULTINOMIAL
rng = np.random.default_rng(0)
X = np.where(rng.random((30000, 100)) < 0.2, rng.normal(size=(30000, 100)), 0.0)
objective = prepare(MULTINOMIAL, X, rng.integers(0, 10, 30000), n_jobs=N_JOBS)
counts, done = [], threading.Event()
def sample():
    while not done.is_set():
        counts.append(len(os.listdir("/proc/self/task")))
        time.sleep(0.0005)
sampler = threading.Thread(target=sample)
sampler.start()
time.sleep(0.05)
before = max(counts)
with threadpool_limits(LIMIT):
    for _ in range(20):
        objective.loss_grad(rng.normal(size=(100, 10)), np.zeros(10))
done.set()
sampler.join()
print(before, max(counts) - before)
"""


def thread_counts() -> None:
    print("[3] threads started during 20 epochs (fresh interpreter each)")
    for label, n_jobs, limit in (
        ("no limit", None, None),
        ("threadpool_limits(1)", None, 1),
        ("n_jobs=1", 1, None),
        ("n_jobs=-1 (all cores)", -1, None),
    ):
        code = _THREADS.replace("N_JOBS", repr(n_jobs)).replace("LIMIT", repr(limit))
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        print(f"  {label:<22s} threads before {out[0]:>3s}, started {out[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    print(
        f"compiled kernel: {'in use' if compiled.available() else 'NOT in use'}; "
        f"{os.cpu_count()} cores"
    )
    task = make_task(load_mnist(), kind="multiclass")
    _, X, _ = standardize(task.X_train, task.X_test)
    epochs(X, task.y_train, args.rounds)
    idle_cost(X, task.y_train)
    if os.path.isdir("/proc/self/task"):
        thread_counts()


if __name__ == "__main__":
    main()
