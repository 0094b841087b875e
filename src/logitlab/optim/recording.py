"""What a fit records: per-epoch history, per-step records, snapshots, time, progress.

History convention: every entry of `history` for epoch e (1-based) is measured on the
weights at the END of epoch e. The guide's naive loop appends the loss BEFORE each
update, so its `losses[i]` is the loss after i updates: for full batch,
`losses[i] == history["loss"][i - 1]` for i >= 1, and `losses[0]` is the loss at the
initial weights (kept as `initial_loss`). End-of-epoch means the last entry describes
the returned weights, and snapshots, early stopping and eval-set scores all refer to
the same weights.

"time" is the wall time since the fit started, less the time spent scoring eval sets
and recording steps: what the training itself cost, so it compares across fits that
record different things.

record_steps=True also records every step (the paper's Fig. 2 plots mini-batch GD per
mini-batch): `steps["step"]`, the batch's data loss at the weights the step starts from
(`steps["loss"]`) and each eval set's loss and accuracy at those same weights, so the
first step of epoch e+1 shows what `history` shows for the end of epoch e.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab import _console

Array = NDArray[Any]
Scorer = Callable[[Array, Any], tuple[float, float]]  # (W, b) -> (loss, accuracy)


class Stopwatch:
    """Wall time since it was made, less the time spent inside `paused()`."""

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self._excluded = 0.0

    @contextmanager
    def paused(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self._excluded += time.perf_counter() - start

    def elapsed(self) -> float:
        return time.perf_counter() - self._start - self._excluded


class Recorder:
    """Collects history, step records and snapshots; prints and draws progress."""

    def __init__(
        self,
        scorers: Sequence[tuple[str, Scorer]],
        clock: Stopwatch,
        *,
        max_iter: int,
        record_steps: bool = False,
        snapshot_epochs: Sequence[int] = (),
        verbose: int = 0,
    ) -> None:
        self.clock = clock
        self.scorers = list(scorers)
        self.snapshot_epochs = set(snapshot_epochs)
        self.verbose = verbose
        eval_keys = [f"{name}_{m}" for name, _ in scorers for m in ("loss", "accuracy")]
        keys = ["epoch", "loss", "data_loss", "learning_rate", "time", "train_accuracy"]
        self.history: dict[str, list[float]] = {k: [] for k in keys + eval_keys}
        self.steps: dict[str, list[float]] = (
            {k: [] for k in ("step", "loss", *eval_keys)} if record_steps else {}
        )
        self.snapshots: dict[int, tuple[Array, Any]] = {}
        self.bar = _console.progress_bar(max_iter, desc="epochs", shown=verbose > 0)

    def step(self, step: int, batch_loss: float, W: Array, b: Any) -> None:
        """One step's record (with record_steps), at the weights it starts from."""
        if not self.steps:
            return
        with self.clock.paused():
            self.steps["step"].append(step)
            self.steps["loss"].append(batch_loss)
            for name, score in self.scorers:
                loss, accuracy = score(W, b)
                self.steps[f"{name}_loss"].append(loss)
                self.steps[f"{name}_accuracy"].append(accuracy)

    def epoch(self, epoch: int, measured: dict[str, float], W: Array, b: Any) -> None:
        """The end of an epoch: `measured` holds loss, data_loss, learning_rate and
        train_accuracy; the eval sets are scored here."""
        row = {"epoch": epoch, "time": self.clock.elapsed(), **measured}
        with self.clock.paused():
            for name, score in self.scorers:
                row[f"{name}_loss"], row[f"{name}_accuracy"] = score(W, b)
            for key, values in self.history.items():
                values.append(row[key])
            if epoch in self.snapshot_epochs:
                self.snapshots[epoch] = (W.copy(), np.copy(b))
            if self.verbose and epoch % self.verbose == 0:  # the homework's line
                _console.info(
                    f"Epoch {epoch}, Loss: {row['loss']:.4f}"
                    + "".join(
                        f", {name} loss: {row[f'{name}_loss']:.4f}"
                        for name, _ in self.scorers
                    )
                )
            self.bar.update(1)

    def close(self) -> None:
        self.bar.close()
