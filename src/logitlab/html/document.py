"""HTML reports: the PDF's content (settings, tables, captioned figures) as one file.

`write_report_html` takes exactly what `logitlab.pdf.write_pdf` takes, so a run
writes both from the same `CaptionedFigure`/`Table` objects. The file is
self-contained: the stylesheet and scripts are inlined from this package's `page.css`,
`tables.js` (and `live.js` for the live model), figures are PNGs in `data:` URLs, and a
Content-Security-Policy forbids every request, so the page opens from `file://` offline.
"""

from __future__ import annotations

import base64
import io
import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from html import escape
from importlib.resources import files
from pathlib import Path

from matplotlib.figure import Figure

from logitlab._atomic import atomic_path
from logitlab.pdf import CaptionedFigure, Table

# Figures at 90 dpi: legible on a laptop and a phone (the PNG scales down, and the
# figure files beside the report stay available at full resolution).
FIGURE_DPI = 90
# Tables with at least this many rows get a filter box.
FILTER_ROWS = 12
_CSP = (
    "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'"
)


def static_text(name: str) -> str:
    """A stylesheet or script shipped with this package (package data)."""
    return files("logitlab.html").joinpath(name).read_text(encoding="utf-8")


def png_data_url(fig: Figure, dpi: float = FIGURE_DPI) -> tuple[str, int, int]:
    """The figure as a `data:image/png;base64,...` URL, with its pixel width, height."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)  # as laid out (constrained layout)
    png = buf.getvalue()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return "data:image/png;base64," + base64.b64encode(png).decode(), width, height


def slug(text: str, taken: set[str]) -> str:
    """A unique element id from a title (for the contents' links)."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "item"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}-{k}", k + 1
    taken.add(name)
    return name


def figure_title(item: CaptionedFigure) -> str:
    """The figure's own title (suptitle, else its first axes' title), for contents."""
    fig = item.figure
    titles = [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)]
    found = next((t for t in titles if t.strip()), "")
    return found or textwrap.shorten(item.caption, 80, placeholder=" …")


def figure_html(item: CaptionedFigure, ident: str) -> str:
    """A <figure> with the image inline and the PDF's caption under it."""
    url, width, height = png_data_url(item.figure)
    alt = item.caption.split(". ")[0]
    heading = f"<h2>{escape(item.heading)}</h2>" if item.heading else ""
    return heading + (
        f'<figure id="{ident}"><div class="figure-wrap" title="Click to enlarge">'
        f'<img src="{url}" '
        f'width="{width}" height="{height}" alt="{escape(alt)}"></div>'
        f"<figcaption>{escape(item.caption).replace(chr(10), '<br>')}</figcaption>"
        "</figure>"
    )


def table_html(table: Table, ident: str) -> str:
    """A sortable <table> under its title, with a filter box if it is long."""
    filter_box, data_filter = "", ""
    if len(table.rows) >= FILTER_ROWS:
        box = f"{ident}-filter"
        data_filter = f' data-filter="{box}"'
        filter_box = (
            f'<p><input class="filter" id="{box}" type="search" '
            f'placeholder="Filter rows…" aria-label="Filter the rows of '
            f'{escape(table.title)}"><span class="count"></span></p>'
        )
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
        for row in table.rows
    )
    note = "".join(
        f'<p class="note">{escape(line)}</p>' for line in table.note.split("\n") if line
    )
    return (
        f'<section class="table" id="{ident}"><h3 id="{ident}-title">'
        f'{escape(table.title)}</h3>{filter_box}<div class="table-wrap">'
        f'<table class="sortable" aria-labelledby="{ident}-title"{data_filter}>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}"
        "</section>"
    )


def settings_html(
    settings: Mapping[str, str], heading: str = "Settings", ident: str = "settings"
) -> str:
    """The title page's settings as a definition list."""
    items = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in settings.items()
    )
    return (
        f'<section id="{ident}"><h2>{escape(heading)}</h2>'
        f'<dl class="settings">{items}</dl></section>'
    )


def page_html(title: str, body: str, *, scripts: Sequence[str] = ()) -> str:
    """A whole document: head with the inline stylesheet, `body`, the inline scripts."""
    inline = "".join(f"<script>{static_text(name)}</script>" for name in scripts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="logitlab">'
        f"<title>{escape(title)}</title><style>{static_text('page.css')}</style>"
        f"</head><body>{body}{inline}</body></html>\n"
    )


def write_report_html(
    path: str | os.PathLike[str],
    *,
    title: str,
    settings: Mapping[str, str],
    summary: Table | None = None,
    pages: Sequence[CaptionedFigure | Table] = (),
    subtitle: str = "",
    author: str = "",
    summary_text: str = "",
    live: str = "",
) -> Path:
    """Write the report as one HTML file at `path` (atomically); return the path.

    The arguments are `write_pdf`'s, so both formats show the same content in the
    same order; `live` is an optional section (`logitlab.html.live.live_section`)
    placed after the summary.
    """
    taken: set[str] = {"settings", "summary", "live", "contents"}
    parts, contents = [], []
    for item in pages:
        if isinstance(item, CaptionedFigure):
            ident = slug(item.caption.split(":")[0], taken)
            parts.append(figure_html(item, ident))
            contents.append((ident, figure_title(item)))
        else:
            ident = slug(item.title, taken)
            parts.append(table_html(item, ident))
            contents.append((ident, item.title))
    front = [("settings", "Settings")]
    front += [("summary", summary.title)] if summary is not None else []
    front += [("live", "The model, live")] if live else []
    links = "".join(
        f'<li><a href="#{i}">{escape(t)}</a></li>' for i, t in [*front, *contents]
    )
    header = f"<h1>{escape(title)}</h1>"
    header += f'<p class="subtitle">{escape(subtitle)}</p>' if subtitle else ""
    header += f'<p class="subtitle">{escape(author)}</p>' if author else ""
    body = (
        f"<header>{header}</header>"
        f'<nav class="contents" id="contents"><ol>{links}</ol></nav>'
        f"<main>{settings_html(settings)}"
        + (table_html(summary, "summary") if summary is not None else "")
        + "".join(f"<p>{escape(p)}</p>" for p in summary_text.split("\n\n") if p)
        + live
        + "".join(parts)
        + "</main>"
    )
    scripts = ["tables.js", "live.js"] if live else ["tables.js"]
    target = Path(path)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(page_html(title, body, scripts=scripts), encoding="utf-8")
    return target
