"""The Dask backend against the in-memory engine and dask-ml, in one run (issue 13).

    LOGITLAB_MNIST_DIR=idx/ python benchmarks/bench_dask.py --store aug2m.zarr \
        [--parts overhead throughput daskml outofcore accuracy] [--epochs N]

`--store` is a digit store of 2,000,000 augmented digits made beforehand with
`logitlab data augment --n 2000000 --out aug2m.zarr` (its first 1,000,000 rows serve
the 1M figures). Parts:

- overhead: per-epoch time at 60,000 rows (ten classes) in memory and via Dask
  (chunks prepared on the workers, and kept as uint8 pixels), contenders in turn;
  and the parity of the 60,000-row fits (history and weights, relative difference).
- throughput: rows per second per epoch at 1M and 2M rows with 1 and 2 workers (one
  thread each); the in-memory engine's rows/s at 60,000 rows on the same two cores.
- daskml: binary (3 vs rest, 60,000 rows), one L2 objective Σ ℓ_i + λ/2 ||w||² (λ=1000)
  without intercept (dask-glm penalises the intercept): time until the objective is
  within 1e-4 (relative) of its minimum (scikit-learn's lbfgs at tol 1e-12).
- outofcore: a few epochs on all 2,000,000 digits with 2 workers limited to 2 GB
  each (the float32 data would be 6.3 GB), pixels kept as uint8; the peak memory
  (max RSS) of every process and what the workers spilled to disk.
- accuracy: ten-class test accuracy on the standard 10,000 test images after
  training on the 60,000 digits alone and on 1,000,000 augmented digits.

Timings on a shared machine are noisy: compare the numbers of one run only.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import numpy as np
from distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression

from logitlab.backends.dask import scaled
from logitlab.data import load_mnist
from logitlab.data.store import dataset_arrays, open_store
from logitlab.data.tasks import PIXEL_SCALE
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD

TEN = dict(learning_rate=0.5, momentum_schedule="accelerated", penalty="l2", alpha=1e-4)
PIXELS = np.full(784, PIXEL_SCALE)


@contextlib.contextmanager
def cluster(workers: int, memory_limit: str = "auto") -> Iterator[Client]:
    """A LocalCluster of `workers` processes, one thread each."""
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as local,
        Client(local) as client,
    ):
        yield client


def per_epoch(est: Any) -> float:
    """Steady per-epoch optimiser time: epochs 2.. (epoch 1 holds the preparing)."""
    t = est.history_["time"]
    return (t[-1] - t[0]) / (len(t) - 1)


def relative(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def overhead(mnist: Any, epochs: int, rounds: int = 2) -> None:
    """Per-epoch time at 60,000 rows: in memory vs Dask; parity of the fits."""
    X = np.multiply(mnist.train_images.reshape(60000, -1), PIXEL_SCALE)
    y = np.asarray(mnist.train_labels)
    best: dict[str, float] = {}
    fits: dict[str, Any] = {}
    with cluster(2) as client:
        print(f"overhead: 60,000 rows, ten classes, {epochs} epochs; 2 workers")
        images, labels = dataset_arrays("mnist", None, chunk_rows=10_000)
        contenders = {
            "in memory": lambda: SoftmaxRegressionGD(max_iter=epochs, **TEN).fit(X, y),
            "dask, prepared": lambda: SoftmaxRegressionGD(max_iter=epochs, **TEN).fit(
                scaled(images, PIXELS, keep="prepared"), labels
            ),
            "dask, pixels": lambda: SoftmaxRegressionGD(max_iter=epochs, **TEN).fit(
                scaled(images, PIXELS, keep="raw"), labels
            ),
        }
        for _ in range(rounds):
            for name, fit in contenders.items():
                fits[name] = fit()
                best[name] = min(best.get(name, np.inf), per_epoch(fits[name]))
        del client
    base = best["in memory"]
    for name, seconds in best.items():
        print(f"  {name:<16} {seconds * 1e3:8.1f} ms/epoch  ×{seconds / base:.2f}")
    memory = fits["in memory"]
    for name in ("dask, prepared", "dask, pixels"):
        h = fits[name].history_
        diff = max(
            relative(h[k], memory.history_[k]) for k in ("loss", "train_accuracy")
        )
        print(
            f"  parity {name}: history {diff:.1e}, weights "
            f"{relative(fits[name].coef_, memory.coef_):.1e} (relative)"
        )


def throughput(
    mnist: Any,
    store: str,
    epochs: int,
    keep: str,
    sizes: tuple[int, ...] = (1_000_000, 2_000_000),
    worker_counts: tuple[int, ...] = (1, 2),
) -> None:
    """Rows/s per epoch at 1M and 2M rows with 1 and 2 workers."""
    X = np.multiply(mnist.train_images.reshape(60000, -1), PIXEL_SCALE)
    est = SoftmaxRegressionGD(max_iter=epochs, **TEN).fit(X, mnist.train_labels)
    print(
        f"throughput ({keep}): in memory, 60,000 rows: "
        f"{60000 / per_epoch(est):,.0f} rows/s per epoch"
    )
    images, labels = open_store(store)
    for n in sizes:
        for workers in worker_counts:
            with cluster(workers):
                est = SoftmaxRegressionGD(max_iter=epochs, **TEN)
                start = time.perf_counter()
                est.fit(scaled(images[:n], PIXELS, keep=keep), labels[:n])
                wall = time.perf_counter() - start
            print(
                f"  {n:>9,} rows, {workers} worker(s): {n / per_epoch(est):>10,.0f} "
                f"rows/s per epoch ({per_epoch(est):.2f} s/epoch; fit {wall:.0f} s)"
            )


def _objective(w: Any, X: Any, y: Any, lam: float) -> float:
    """Σ log(1 + e^z) - y z + λ/2 ||w||², z = X w (no intercept)."""
    z = X @ w
    return float(np.sum(np.logaddexp(0, z) - y * z) + lam / 2 * w @ w)


def versus_dask_ml(mnist: Any, lam: float = 1000.0, tol: float = 1e-4) -> None:
    """Time to the objective's minimum within `tol`: logitlab on Dask vs dask-ml."""
    from dask_ml.linear_model import LogisticRegression as DaskMLLogistic

    X = np.multiply(mnist.train_images.reshape(60000, -1), PIXEL_SCALE)
    y = (np.asarray(mnist.train_labels) == 3).astype(float)
    n = len(y)
    ref = LogisticRegression(C=1 / lam, fit_intercept=False, tol=1e-12, max_iter=10000)
    f_min = _objective(ref.fit(X, y).coef_[0], X, y, lam)
    target = f_min * (1 + tol)
    print(f"daskml: 3 vs rest, 60,000 rows, λ={lam:g}; min objective {f_min:.6f}")
    with cluster(2) as client:
        images, labels = dataset_arrays("mnist", None, chunk_rows=10_000)
        est = LogisticRegressionGD(
            max_iter=150, learning_rate=0.2, momentum_schedule="accelerated",
            penalty="l2", alpha=lam / n, fit_intercept=False,
        )  # fmt: skip
        est.fit(scaled(images, PIXELS, keep="prepared"), labels == 3)
        reached = [i for i, f in enumerate(est.history_["loss"]) if f * n <= target]
        if reached:
            i = reached[0]
            print(
                f"  logitlab (Dask, accelerated GD): {est.history_['time'][i]:.2f} s, "
                f"{i + 1} epochs"
            )
        else:
            print(f"  logitlab: not within {tol:g} in 150 epochs")
        X_dask = client.persist(scaled(images, PIXELS))
        y_dask = client.persist((labels == 3).astype(float))
        for solver in ("lbfgs", "admm"):
            for max_iter in (10, 20, 40, 80):
                model = DaskMLLogistic(
                    C=1 / lam, fit_intercept=False, solver=solver, max_iter=max_iter,
                    tol=1e-12, solver_kwargs={"normalize": False},
                )  # fmt: skip
                start = time.perf_counter()
                model.fit(X_dask, y_dask)
                seconds = time.perf_counter() - start
                f = _objective(np.asarray(model.coef_).ravel(), X, y, lam)
                if f <= target:
                    print(f"  dask-ml {solver}: {seconds:.2f} s, max_iter={max_iter}")
                    break
            else:
                print(
                    f"  dask-ml {solver}: objective {f:.6f} after max_iter={max_iter} "
                    f"({seconds:.2f} s): not within {tol:g}"
                )


def _max_rss_mb() -> float:
    """This process's peak RSS (MB): Linux's VmHWM, else ru_maxrss.

    ru_maxrss would do on its own, but Linux carries it across fork + exec, so a
    spawned worker reports at least its parent's peak; VmHWM is the process's own.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spilled(dask_worker: Any) -> int:
    """Keys this worker's SpillBuffer holds on disk."""
    return len(getattr(dask_worker.data, "slow", ()))


def out_of_core(store: str, epochs: int) -> None:
    """A few epochs on 2,000,000 digits, 2 workers of 2 GB: peak memory of each."""
    images, labels = open_store(store)
    n = images.shape[0]
    print(f"outofcore: {n:,} digits, ten classes, {epochs} epochs, 2 workers × 2 GB")
    with cluster(2, memory_limit="2GB") as client:
        est = SoftmaxRegressionGD(max_iter=epochs, **TEN)
        start = time.perf_counter()
        est.fit(scaled(images, PIXELS, dtype=np.float32, keep="raw"), labels)
        wall = time.perf_counter() - start
        workers = client.run(_max_rss_mb)
        spilled = client.run(_spilled)
    print(
        f"  fit {wall:.0f} s; {per_epoch(est):.1f} s/epoch; loss "
        f"{est.history_['loss'][0]:.4f} -> {est.history_['loss'][-1]:.4f}"
    )
    for address, mb in workers.items():
        print(
            f"  worker {address}: peak RSS {mb:,.0f} MB; "
            f"keys spilled {spilled[address]}"
        )
    # a LocalCluster's scheduler and nannies live in this process
    print(f"  client, scheduler, nannies: peak RSS {_max_rss_mb():,.0f} MB")


def accuracy(mnist: Any, store: str, epochs: int) -> None:
    """Test accuracy: trained on the 60,000 digits vs on 1M augmented digits."""
    X_test = np.multiply(mnist.test_images.reshape(10000, -1), PIXEL_SCALE)
    X = np.multiply(mnist.train_images.reshape(60000, -1), PIXEL_SCALE)
    plain = SoftmaxRegressionGD(max_iter=epochs, **TEN).fit(X, mnist.train_labels)
    print(f"accuracy ({epochs} epochs, same settings; 10,000 test images):")
    print(f"  60,000 digits:            {plain.score(X_test, mnist.test_labels):.4f}")
    images, labels = open_store(store)
    with cluster(2):
        big = SoftmaxRegressionGD(max_iter=epochs, **TEN)
        big.fit(scaled(images[:1_000_000], PIXELS, keep="prepared"), labels[:1_000_000])
    print(f"  1,000,000 augmented:      {big.score(X_test, mnist.test_labels):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="a digit store of 2,000,000 augmented digits")
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["overhead", "throughput", "daskml", "outofcore", "accuracy"],
    )
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--accuracy-epochs", type=int, default=50)
    parser.add_argument("--keep", choices=["raw", "prepared"], default="raw")
    parser.add_argument("--rows", type=int, nargs="+", default=(1_000_000, 2_000_000))
    parser.add_argument("--workers", type=int, nargs="+", default=(1, 2))
    args = parser.parse_args()
    mnist = load_mnist()
    dask.config.set({"distributed.worker.daemon": True})
    for part in args.parts:
        start = time.perf_counter()
        if part == "overhead":
            overhead(mnist, max(args.epochs, 5))
        elif part == "throughput":
            throughput(
                mnist, args.store, args.epochs, args.keep, args.rows, args.workers
            )
        elif part == "daskml":
            versus_dask_ml(mnist)
        elif part == "outofcore":
            out_of_core(args.store, args.epochs)
        elif part == "accuracy":
            accuracy(mnist, args.store, args.accuracy_epochs)
        print(f"  ({part}: {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
