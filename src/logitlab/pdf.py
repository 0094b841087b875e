"""PDF documents: a title page (settings, summary table), captioned figures, tables.

Every page is A4 portrait, so the document prints evenly: a figure wider or taller than
the page's room is redrawn smaller (its layout computed again at that size), then
placed at the top of the page with its caption below it.

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
_MARGIN = 0.6  # inches between the page's edge and a figure page's content
_CAPTION_SIZE = 9.5  # points
_ROW = 0.022  # table row height, fraction of the page


@dataclass
class CaptionedFigure:
    """A figure and the caption under it: what it shows and what to read from it."""

    figure: Figure
    caption: str
    heading: str = ""  # a line above the figure, e.g. the part of the document


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


_TABLE_WIDTH = 0.88  # of the page width
_CELL_SIZE = 9  # points


def _wrapped_cells(table: Table, rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """Header and rows, each cell wrapped to its column's width (never cut off)."""
    n = len(table.columns)
    widths = list(table.col_widths) if table.col_widths else [1.0] * n
    total = sum(widths)
    chars = [
        max(4, int(_TABLE_WIDTH * _PAGE[0] * w / total * 72 / (0.6 * _CELL_SIZE)) - 1)
        for w in widths
    ]
    return [
        [_fill_cell(str(cell), c) for cell, c in zip(r, chars, strict=True)]
        for r in [list(table.columns), *rows]
    ]


def _fill_cell(text: str, chars: int) -> str:
    """Wrap at spaces only: a word longer than the column stays whole."""
    return textwrap.fill(text, chars, break_long_words=False) if text else ""


def _lines(row: Sequence[str]) -> float:
    """A row's height in single-line rows: each extra line adds a line's height."""
    return 1 + 0.6 * max(cell.count("\n") for cell in row)


def _draw_table(fig: Figure, table: Table, cells: list[list[str]], top: float) -> float:
    """A matplotlib table (header + rows, wrapped) hanging from `top` (figure
    fraction), each row as tall as its most wrapped cell; returns its bottom."""
    heights = [_lines(r) for r in cells]
    bottom = top - _ROW * sum(heights)
    ax = fig.add_axes((0.06, bottom, _TABLE_WIDTH, top - bottom))
    ax.axis("off")
    tab = ax.table(
        cellText=cells[1:],
        colLabels=cells[0],
        colWidths=list(table.col_widths) if table.col_widths else None,
        bbox=Bbox.from_bounds(0.0, 0.0, 1.0, 1.0),  # fill the band, rows in proportion
        cellLoc="center",
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(_CELL_SIZE)
    for (r, _), cell in tab.get_celld().items():
        cell.set_height(heights[r])
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#e6e6e6")
    return bottom


def _title_page(
    title: str,
    subtitle: str,
    settings: Mapping[str, str],
    summary: Table | None,
    text: str = "",
) -> Figure:
    fig = Figure(figsize=_PAGE)
    fig.text(0.5, 0.93, title, ha="center", va="top", fontsize=18, weight="bold")
    y = 0.885
    if subtitle:
        lines = _wrap(subtitle, 7.0, 11)
        fig.text(0.5, y, lines, ha="center", va="top", fontsize=11)
        y -= 0.02 * (lines.count("\n") + 2)
    fig.text(0.08, y, "Settings", fontsize=13, weight="bold", va="top")
    y -= 0.03
    for key, value in settings.items():
        line = _wrap(f"{key}: {value}", 6.8, 9.5)
        fig.text(0.1, y, line, fontsize=9.5, va="top", family="DejaVu Sans")
        y -= 0.0135 * (line.count("\n") + 1) + 0.0045  # 9.5 pt lines, a gap
    if summary is not None:
        y -= 0.02
        fig.text(0.08, y, summary.title, fontsize=13, weight="bold", va="top")
        y = _draw_table(fig, summary, _wrapped_cells(summary, summary.rows), y - 0.02)
        y -= 0.015
        if summary.note:
            note = _wrap(summary.note, 6.9, 8.5)
            fig.text(0.08, max(0.03, y), note, fontsize=8.5, va="top")
            y -= 0.0125 * (note.count("\n") + 1)
    if text:
        fig.text(0.08, y - 0.015, _wrap(text, 6.9, 9.5), fontsize=9.5, va="top")
    return fig


_LINES_PER_PAGE = 36  # single-line rows (header included) that fit below a title
_NOTE_SIZE = 9  # points
_NOTE_LINE = 0.0135  # a note line, fraction of the page height
_NOTE_LINES_PER_PAGE = 60  # note lines on a page of their own


def _table_pages(table: Table) -> list[Figure]:
    """The table over as many pages as its wrapped rows need; its note below the last
    rows, or on a page of its own when it does not fit there."""
    cells = _wrapped_cells(table, table.rows)
    header, used = cells[0], _lines(cells[0])
    chunks: list[list[list[str]]] = []
    chunk: list[list[str]] = []
    for row in cells[1:]:
        if chunk and used + _lines(row) > _LINES_PER_PAGE:
            chunks.append(chunk)
            chunk, used = [], _lines(header)
        chunk.append(row)
        used += _lines(row)
    chunks.append(chunk)
    pages = []
    note = _wrap(table.note, 6.9, _NOTE_SIZE) if table.note else ""
    for k, rows in enumerate(chunks):
        fig = Figure(figsize=_PAGE)
        suffix = f" (continued, {k + 1}/{len(chunks)})" if k else ""
        title = _wrap(table.title + suffix, 6.9, 14)
        fig.text(0.08, 0.94, title, fontsize=14, weight="bold", va="top")
        top = 0.92 - 0.025 * (title.count("\n") + 1)
        bottom = _draw_table(fig, table, [header, *rows], top)
        last = k == len(chunks) - 1
        if note and last and bottom - 0.015 - _NOTE_LINE * note.count("\n") > 0.04:
            fig.text(0.08, bottom - 0.015, note, fontsize=_NOTE_SIZE, va="top")
            note = ""
        pages.append(fig)
    lines = note.split("\n") if note else []
    per_page = _NOTE_LINES_PER_PAGE
    for start in range(0, len(lines), per_page):  # too long for the room under the
        fig = Figure(figsize=_PAGE)  # last rows: pages of their own
        fig.text(0.08, 0.94, _wrap(table.title + " (notes)", 6.9, 14), fontsize=14,
                 weight="bold", va="top")  # fmt: skip
        text = "\n".join(lines[start : start + per_page])
        fig.text(0.08, 0.89, text, fontsize=_NOTE_SIZE, va="top")
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


@contextmanager
def _scaled(fig: Figure, scale: float) -> Iterator[None]:
    """Within: `fig` is `scale` times its size, laid out again at that size."""
    if scale >= 1.0:
        yield
        return
    size, engine = fig.get_size_inches().copy(), fig.get_layout_engine()
    fig.set_size_inches(size * scale)
    fig.set_layout_engine("constrained")
    try:
        yield
    finally:
        fig.set_layout_engine(engine)
        fig.set_size_inches(size)


def _save_captioned(pdf: PdfPages, item: CaptionedFigure) -> None:
    """Save the figure on an A4 page: its heading above it, its caption below it,
    scaled down to the page's room if needed; then remove heading and caption again."""
    fig = item.figure
    page_w, page_h = _PAGE
    room_w = page_w - 2 * _MARGIN
    caption = _wrap(item.caption, room_w, _CAPTION_SIZE)
    caption_h = (caption.count("\n") + 1) * _CAPTION_SIZE * 1.3 / 72
    heading_h = 0.45 if item.heading else 0.0
    room_h = page_h - 2 * _MARGIN - heading_h - caption_h - 0.25
    width, height = fig.get_size_inches()
    with _scaled(fig, min(1.0, room_w / width, room_h / height)):
        width, height = fig.get_size_inches()
        # the page in the figure's inches: the figure centred, at the top of the page
        left, bottom = (width - page_w) / 2, height + _MARGIN + heading_h - page_h
        x = (left + _MARGIN) / width  # the page's left margin, in figure fractions
        texts = []
        try:
            texts.append(
                fig.text(x, -0.2 / height, caption, fontsize=_CAPTION_SIZE, va="top")
            )
            if item.heading:
                y = 1 + (heading_h - 0.1) / height
                texts.append(
                    fig.text(x, y, item.heading, fontsize=12, weight="bold", va="top")
                )
            pdf.savefig(fig, bbox_inches=Bbox.from_bounds(left, bottom, *_PAGE))
        finally:
            for text in texts:
                text.remove()


def write_pdf(
    path: str | os.PathLike[str],
    *,
    title: str,
    settings: Mapping[str, str],
    summary: Table | None = None,
    pages: Sequence[CaptionedFigure | Table] = (),
    subtitle: str = "",
    author: str = "",
    summary_text: str = "",
) -> Path:
    """Write the PDF at `path` atomically and return the path.

    Page order: the title page (title, subtitle, settings, summary table, then
    `summary_text`), then `pages` in order (a captioned figure is one page, a table one
    or more). The creation date is left out of the metadata so the same
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
            pdf.savefig(_title_page(title, subtitle, settings, summary, summary_text))
            for item in pages:
                if isinstance(item, CaptionedFigure):
                    _save_captioned(pdf, item)
                else:
                    for page in _table_pages(item):
                        pdf.savefig(page)
    return target
