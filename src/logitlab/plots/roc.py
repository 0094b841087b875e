"""ROC curves: binary for several models, or one-vs-rest for a multiclass model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from sklearn.metrics import auc, roc_curve


def _roc_axes(fig: Figure, title: str):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="chance")
    ax.set(
        xlabel="false positive rate (false alarm)",
        ylabel="true positive rate (detection)",
        title=title,
        xlim=(-0.01, 1.0),
        ylim=(0.0, 1.01),
    )
    ax.grid(True, alpha=0.4)
    return ax


def roc_curves(
    y_true: ArrayLike,
    scores: Mapping[str, ArrayLike],
    *,
    title: str = "ROC curve",
) -> Figure:
    """One ROC curve per model from its scores for the positive class (label 1)."""
    fig = Figure(figsize=(5.5, 5), layout="constrained")
    ax = _roc_axes(fig, title)
    for name, score in scores.items():
        fpr, tpr, _ = roc_curve(y_true, score)
        ax.plot(fpr, tpr, linewidth=2, label=f"{name} (AUC {auc(fpr, tpr):.4f})")
    ax.legend(loc="lower right")
    return fig


def roc_curves_ovr(
    y_true: ArrayLike,
    proba: ArrayLike,
    class_names: Sequence[str],
    *,
    title: str = "ROC curves, one class against the rest",
    zoom: tuple[float, float] = (0.1, 0.8),
) -> Figure:
    """One curve per class: that class's probability against membership of the class.

    Good classifiers crowd their curves into the top-left corner, so an inset repeats
    them for false positive rates up to `zoom[0]` and true positive rates from
    `zoom[1]`, where they can be told apart.
    """
    y = np.asarray(y_true)
    p = np.asarray(proba, dtype=np.float64)
    fig = Figure(figsize=(7, 6), layout="constrained")
    ax = _roc_axes(fig, title)
    inset = ax.inset_axes((0.36, 0.42, 0.6, 0.46))
    for k, name in enumerate(class_names):
        fpr, tpr, _ = roc_curve(y == k, p[:, k])
        (line,) = ax.plot(
            fpr, tpr, linewidth=1.5, label=f"{name} (AUC {auc(fpr, tpr):.4f})"
        )
        inset.plot(fpr, tpr, linewidth=1.2, color=line.get_color())
    inset.set(xlim=(0.0, zoom[0]), ylim=(zoom[1], 1.0))
    inset.tick_params(labelsize=7)
    inset.grid(True, alpha=0.4)
    ax.indicate_inset_zoom(inset, edgecolor="grey")
    ax.legend(loc="lower right", fontsize=8)
    return fig
