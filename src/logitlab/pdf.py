"""PDF documents: a title page (settings, summary table), captioned figures, tables.

The PDF only collects figures made elsewhere; it adds a caption under each and writes
the pages with matplotlib's `PdfPages` into a temporary file that is renamed over the
target only when every page is written (`logitlab._atomic`), so a failed or interrupted
run never leaves half a PDF. Fonts are embedded as TrueType (pdf.fonttype 42) so the
text, captions included, can be extracted and searched by PDF readers.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from logitlab._atomic import atomic_path

_PAGE = (8.27, 11.69)  # A4 portrait, inches
_ROWS_PER_PAGE = 32
_ROW = 0.022  # table row height, fraction of the page


@dataclass
class CaptionedFigure:
    """A figure and the caption under it: what it shows and what to read from it."""

    figure: Figure
    caption: str


@dataclass
class Table:
    """A table of already formatted cells; long tables continue over several pages."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""
    col_widths: Sequence[float] | None = field(default=None)


def _wrap(text: str, width_in: float, fontsize: float) -> str:
    """Wrap to the page width: about one character per 0.55 em of DejaVu Sans."""
    chars = max(20, int(width_in * 72 / (0.55 * fontsize)))
    return "\n".join(
        textwrap.fill(par, chars) if par else "" for par in text.split("\n")
    )


def _draw_table(
    fig: Figure,
    table: Table,
    rows: Sequence[Sequence[str]],
    top: float,
    bottom: float,
) -> None:
    """A matplotlib table filling the band from `bottom` to `top` (figure fraction)."""
    ax = fig.add_axes((0.06, bottom, 0.88, top - bottom))
    ax.axis("off")
    tab = ax.table(
        cellText=[list(r) for r in rows],
        colLabels=list(table.columns),
        colWidths=list(table.col_widths) if table.col_widths else None,
        bbox=Bbox.from_bounds(
            0.0, 0.0, 1.0, 1.0
        ),  # fill the band: row height = band / rows
        cellLoc="center",
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(9)
    for (r, _), cell in tab.get_celld().items():
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#e6e6e6")


def _title_page(
    title: str, subtitle: str, settings: Mapping[str, str], summary: Table | None
) -> Figure:
    fig = Figure(figsize=_PAGE)
    fig.text(0.5, 0.93, title, ha="center", va="top", fontsize=18, weight="bold")
    y = 0.885
    if subtitle:
        fig.text(0.5, y, _wrap(subtitle, 7.0, 11), ha="center", va="top", fontsize=11)
        y -= 0.02 * (subtitle.count("\n") + 2)
    fig.text(0.08, y, "Settings", fontsize=13, weight="bold", va="top")
    y -= 0.03
    for key, value in settings.items():
        line = _wrap(f"{key}: {value}", 6.8, 9.5)
        fig.text(0.1, y, line, fontsize=9.5, va="top", family="DejaVu Sans")
        y -= 0.018 * (line.count("\n") + 1)
    if summary is not None:
        y -= 0.02
        fig.text(0.08, y, summary.title, fontsize=13, weight="bold", va="top")
        height = _ROW * (len(summary.rows) + 1)
        _draw_table(fig, summary, summary.rows, y - 0.02, max(0.05, y - 0.02 - height))
        if summary.note:
            fig.text(
                0.08,
                max(0.03, y - 0.035 - height),
                _wrap(summary.note, 6.9, 8.5),
                fontsize=8.5,
                va="top",
            )
    return fig


def _table_pages(table: Table) -> list[Figure]:
    pages = []
    chunks = [
        table.rows[i : i + _ROWS_PER_PAGE]
        for i in range(0, max(1, len(table.rows)), _ROWS_PER_PAGE)
    ]
    for k, rows in enumerate(chunks):
        fig = Figure(figsize=_PAGE)
        suffix = f" (continued, {k + 1}/{len(chunks)})" if k else ""
        fig.text(0.08, 0.94, table.title + suffix, fontsize=14, weight="bold", va="top")
        height = _ROW * (len(rows) + 1)
        _draw_table(fig, table, rows, 0.9, max(0.08, 0.9 - height))
        if table.note and k == len(chunks) - 1:
            fig.text(
                0.08,
                max(0.05, 0.885 - height),
                _wrap(table.note, 6.9, 9),
                fontsize=9,
                va="top",
            )
        pages.append(fig)
    return pages


@contextmanager
def layout_kept(figures: Iterable[Figure]) -> Iterator[None]:
    """Within: figures already drawn once keep their layout instead of computing it
    again (constrained layout is most of a draw); afterwards their engines return.

    For figures saved twice (a PNG, then the PDF's page): the page's drawing then
    only places what the PNG's already laid out (measured: 2.8 -> 2.1 s for the
    homework's outputs).
    """
    kept = [(fig, fig.get_layout_engine()) for fig in figures]
    for fig, _ in kept:
        fig.set_layout_engine("none")
    try:
        yield
    finally:
        for fig, engine in kept:
            fig.set_layout_engine(engine)


def _save_captioned(pdf: PdfPages, item: CaptionedFigure) -> None:
    """Save the figure with its caption below it, then remove the caption again."""
    fig = item.figure
    width = fig.get_figwidth()
    caption = fig.text(
        0.0,
        -0.02,
        _wrap(item.caption, width, 9.5),
        fontsize=9.5,
        va="top",
        ha="left",
        transform=fig.transFigure,
    )
    try:
        pdf.savefig(fig, bbox_inches="tight", pad_inches=0.4)
    finally:
        caption.remove()


def write_pdf(
    path: str | os.PathLike[str],
    *,
    title: str,
    settings: Mapping[str, str],
    summary: Table | None = None,
    pages: Sequence[CaptionedFigure | Table] = (),
    subtitle: str = "",
    author: str = "",
) -> Path:
    """Write the PDF at `path` atomically and return the path.

    Page order: the title page, then `pages` in order (a captioned figure is one page, a
    table one or more). The creation date is left out of the metadata so the same
    inputs give the same file.
    """
    target = Path(path)
    metadata = {
        "Title": title,
        "Author": author or None,
        "Creator": "logitlab",
        "CreationDate": None,
    }
    with matplotlib.rc_context({"pdf.fonttype": 42}), atomic_path(target) as tmp:
        with PdfPages(tmp, metadata=metadata) as pdf:
            pdf.savefig(_title_page(title, subtitle, settings, summary))
            for item in pages:
                if isinstance(item, CaptionedFigure):
                    _save_captioned(pdf, item)
                else:
                    for page in _table_pages(item):
                        pdf.savefig(page)
    return target
