"""Confusion matrices drawn by scikit-learn's `ConfusionMatrixDisplay`."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from sklearn.metrics import ConfusionMatrixDisplay


def confusion_matrix_figure(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    class_names: Sequence[str],
    *,
    title: str = "Confusion matrix",
    normalize: str | None = None,
) -> Figure:
    """Rows are true classes, columns predicted; counts (or rates with `normalize`)."""
    n = len(class_names)
    fig = Figure(
        figsize=(5.5 if n <= 3 else 9, 4.5 if n <= 3 else 8), layout="constrained"
    )
    ax = fig.add_subplot()
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=list(range(n)),
        display_labels=list(class_names),
        normalize=normalize,
        ax=ax,
        cmap="Blues",
        colorbar=True,
        values_format=".2f" if normalize else "d",
    )
    ax.set_title(title)
    return fig
