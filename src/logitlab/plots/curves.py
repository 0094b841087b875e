"""Per-epoch curves: loss against epoch for several sets, and learning curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike


def loss_curves(
    curves: Mapping[str, ArrayLike],
    *,
    epochs: ArrayLike | None = None,
    title: str = "Loss per epoch",
    ylabel: str = "binary cross-entropy",
    marks: Sequence[int] = (),
    log_y: bool = False,
) -> Figure:
    """One line per named curve against epoch (1-based unless `epochs` is given).

    `marks` draws a dotted vertical line at each listed epoch (e.g. the 5 and 100 of the
    homework) so the numbers in the tables can be found on the curve.
    """
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.add_subplot()
    for name, values in curves.items():
        y = np.asarray(values, dtype=np.float64)
        x = np.arange(1, y.size + 1) if epochs is None else np.asarray(epochs)
        ax.plot(x, y, linewidth=2, label=name)
    for epoch in marks:
        ax.axvline(epoch, color="grey", linestyle=":", linewidth=1)
        ax.annotate(
            f"epoch {epoch}",
            (epoch, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
            color="grey",
        )
    if log_y:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=ylabel, title=title)
    ax.grid(True, alpha=0.4)
    ax.legend()
    return fig


def learning_curves(
    train_losses: ArrayLike,
    val_losses: ArrayLike,
    *,
    epochs: ArrayLike | None = None,
    title: str = "Learning curves",
    ylabel: str = "binary cross-entropy",
    log_y: bool = False,
) -> Figure:
    """Training and validation loss per epoch with the validation minimum marked.

    The guide's diagnostic: both high means underfitting, training falling while
    validation rises means overfitting, and the validation minimum is where to stop.
    """
    val = np.asarray(val_losses, dtype=np.float64)
    x = np.arange(1, val.size + 1) if epochs is None else np.asarray(epochs)
    best = int(np.argmin(val))
    fig = loss_curves(
        {"training": train_losses, "validation": val},
        epochs=x,
        title=title,
        ylabel=ylabel,
        log_y=log_y,
    )
    ax = fig.axes[0]
    ax.plot(x[best], val[best], "ko", label=f"validation minimum (epoch {x[best]})")
    ax.legend()
    return fig
