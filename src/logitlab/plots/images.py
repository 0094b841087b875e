"""Pictures of 28×28 things: weight vectors as images and galleries of digits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike


def weight_images(
    weights: Mapping[str, ArrayLike],
    *,
    title: str = "Weights as 28×28 images (bias excluded)",
    cmap: str = "RdBu_r",
) -> Figure:
    """One panel per weight vector (784 values), colours centred on zero.

    Each panel gets symmetric limits ±max|w| so white is exactly zero, red pixels push
    towards the positive class and blue towards the negative one; each has its own
    colorbar because models with different regularisation have different scales.
    """
    n = len(weights)
    fig = Figure(figsize=(4.2 * n + 0.6, 4.4), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (name, w) in zip(axes, weights.items(), strict=True):
        img = np.asarray(w, dtype=np.float64).reshape(28, 28)
        lim = float(np.max(np.abs(img))) or 1.0  # all-zero weights: any symmetric range
        im = ax.imshow(img, cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, shrink=0.85, label="weight")
    fig.suptitle(title)
    return fig


def digit_gallery(
    images: ArrayLike,
    true_labels: Sequence[str],
    predicted_labels: Sequence[str],
    confidence: ArrayLike,
    *,
    indices: Sequence[int] | None = None,
    title: str = "Misclassified test images",
    total_wrong: int | None = None,
    columns: int = 5,
    max_images: int = 10,
) -> Figure:
    """Images with true label, predicted label and confidence under each.

    The caller picks the images (up to `max_images`); `total_wrong` is how many there
    were in all. The title says whether these are all of them, fewer than `max_images`,
    or none, so an empty gallery is never mistaken for a plotting failure.
    """
    imgs = np.asarray(images)
    conf = np.asarray(confidence, dtype=np.float64)
    n = imgs.shape[0]
    total = n if total_wrong is None else total_wrong
    rows = max(1, -(-n // columns))
    fig = Figure(figsize=(2.0 * columns, 2.3 * rows + 0.9), layout="constrained")
    if n == 0:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            "No misclassified test images:\nevery test image was classified correctly.",
            ha="center",
            va="center",
            fontsize=13,
        )
    else:
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        for k, ax in enumerate(axes):
            ax.axis("off")
            if k >= n:
                continue
            ax.imshow(imgs[k], cmap="gray_r", interpolation="nearest")
            label = f"true {true_labels[k]}, pred {predicted_labels[k]}"
            label += f"\nconf. {conf[k]:.3f}"
            if indices is not None:
                label += f"  (#{indices[k]})"
            ax.set_title(label, fontsize=8)
    if total == 0:
        note = "none"
    elif total > n:
        note = f"showing {n} of {total}"
    elif total < max_images:
        note = f"only {total}, fewer than {max_images}"
    else:
        note = f"all {total}"
    title = f"{title} ({note})"
    fig.suptitle(title)
    return fig
