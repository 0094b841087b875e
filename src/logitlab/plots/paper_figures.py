"""Figures particular to the reproduced paper: curve grids, λ sweeps, weight grids.

Every function returns a matplotlib Figure (never shows it); captions with the
document's figure number are added by the report writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

_MARKERS = ("o", "s", "^", "D", "v", "x")
_LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3)))


def curve_panels(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    ylabel: str,
    xlabel: str = "epoch",
    title: str = "",
    columns: int = 2,
    marks: Mapping[str, int] | None = None,
    log_y: bool = False,
    sharey: bool = False,
) -> Figure:
    """One panel per title, each with one line per named curve (x = 1, 2, ...).

    `marks[panel]` draws a dotted line at an epoch (e.g. the one early stopping kept);
    `log_y` for losses that start orders of magnitude above where they end; `sharey`
    gives every panel the same y-axis, so panels compare at a glance.
    """
    n = len(panels)
    cols = min(columns, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(4.6 * cols, 3.3 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=sharey).ravel()
    for ax, (name, curves) in zip(axes, panels.items(), strict=False):
        for label, values in curves.items():
            y = np.asarray(values, dtype=np.float64)
            ax.plot(np.arange(1, y.size + 1), y, linewidth=1.6, label=label)
        if marks and name in marks:
            ax.axvline(marks[name], color="grey", linestyle=":", linewidth=1)
        ax.set(title=name, xlabel=xlabel, ylabel=ylabel)
        if log_y:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.4)
        ax.legend(fontsize=8)
    for ax in axes[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig


def lambda_curves(
    lambdas: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    title: str,
    log_y: bool = False,
) -> Figure:
    """A quantity against λ (log axis), one line per series (e.g. L1, L2).

    Each series has its own colour, marker and line style, drawn with open markers
    in decreasing width, so lines that lie on top of each other stay visible.
    """
    fig = Figure(figsize=(6.5, 4.3), layout="constrained")
    ax = fig.add_subplot()
    for i, (label, values) in enumerate(series.items()):
        ax.plot(
            lambdas,
            values,
            marker=_MARKERS[i % len(_MARKERS)],
            linestyle=_LINESTYLES[i % len(_LINESTYLES)],
            markersize=9 - i,
            markerfacecolor="none",
            linewidth=2.4 - 0.25 * i,
            label=label,
        )
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set(xlabel="λ", ylabel=ylabel, title=title)
    ax.grid(True, which="both", alpha=0.4)
    ax.legend()
    return fig


def weight_grid(
    rows: Mapping[str, Mapping[str, ArrayLike]],
    *,
    title: str,
    signed_rows: Sequence[str] | None = None,
    colorbar: bool = False,
) -> Figure:
    """A grid of 28×28 images: one row per name, one column per entry of that row.

    Rows listed in `signed_rows` (default: all) are weights, drawn red/blue around a
    white zero; other rows (e.g. class mean images) are drawn in grey levels. Without
    `colorbar` each image has its own symmetric range (its pattern shows whatever its
    size); with it, each row shares one range, read off the row's colour bar.
    """
    signed = set(rows) if signed_rows is None else set(signed_rows)
    n_cols = max(len(r) for r in rows.values())
    width = 1.45 * n_cols + (2.0 if colorbar else 1.2)
    fig = Figure(figsize=(width, 1.65 * len(rows) + 0.6), layout="constrained")
    axes = fig.subplots(len(rows), n_cols, squeeze=False)
    for i, (row_name, images) in enumerate(rows.items()):
        arrays = [
            np.asarray(w, dtype=np.float64).reshape(28, 28) for w in images.values()
        ]
        row_lim = max(float(np.max(np.abs(a))) for a in arrays) or 1.0
        shown = None
        for j in range(n_cols):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j >= len(arrays):
                ax.axis("off")
                continue
            img = arrays[j]
            if row_name in signed:
                lim = row_lim if colorbar else float(np.max(np.abs(img))) or 1.0
                shown = ax.imshow(
                    img, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest"
                )
            else:
                grey = {"vmin": 0.0, "vmax": row_lim} if colorbar else {}
                shown = ax.imshow(img, cmap="gray", interpolation="nearest", **grey)
            ax.set_title(list(images)[j], fontsize=8)
            if j == 0:
                ax.set_ylabel(row_name, fontsize=9)
        if colorbar and shown is not None:
            fig.colorbar(shown, ax=list(axes[i]), shrink=0.9, pad=0.01)
    fig.suptitle(title)
    return fig


def c_search_figure(
    candidates: Sequence[ArrayLike], scores: Sequence[ArrayLike]
) -> Figure:
    """Inner cross-validation accuracy of each sampled C, one marker set per fold."""
    fig = Figure(figsize=(6.5, 4.3), layout="constrained")
    ax = fig.add_subplot()
    for i, (c, s) in enumerate(zip(candidates, scores, strict=True), 1):
        order = np.argsort(np.asarray(c))
        ax.plot(
            np.asarray(c)[order],
            np.asarray(s)[order],
            "o-",
            alpha=0.7,
            label=f"fold {i}",
        )
    ax.set_xscale("log")
    ax.set(xlabel="C", ylabel="inner CV accuracy", title="Randomised search of C")
    ax.grid(True, which="both", alpha=0.4)
    ax.legend(fontsize=8)
    return fig
