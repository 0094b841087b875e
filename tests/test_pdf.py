"""The PDF read back with pypdf: pages, captions, tables; written atomically."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure
from pypdf import PdfReader

from logitlab import pdf
from logitlab.pdf import CaptionedFigure, Table, layout_kept, write_pdf


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _figure(title: str) -> Figure:
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2, 1, 0])
    ax.set_title(title)
    return fig


def test_pages_captions_and_tables_read_back(tmp_path):
    captions = [
        "First caption: the loss falls at every epoch, read the gap between curves. "
        * 3,
        "Second caption: σ and ‖w‖₁ survive the trip into the PDF.",
    ]
    long_table = Table(
        "Squares", ["n", "n squared"], [[str(i), str(i * i)] for i in range(70)]
    )
    path = write_pdf(
        tmp_path / "r.pdf",
        title="A report title",
        settings={"learning rate": "0.1", "epochs": "100"},
        summary=Table("Summary", ["metric", "value"], [["accuracy", "0.9876"]]),
        pages=[
            CaptionedFigure(_figure("fig one"), captions[0]),
            long_table,
            CaptionedFigure(_figure("fig two"), captions[1]),
        ],
    )
    pages = [_words(p.extract_text()) for p in PdfReader(path).pages]
    n = -(-70 // (pdf._LINES_PER_PAGE - 1))  # one-line rows below a header per page
    assert len(pages) == 1 + 1 + n + 1  # title, figure, the table's pages, figure
    assert "A report title" in pages[0] and "learning rate: 0.1" in pages[0]
    assert "accuracy 0.9876" in pages[0]
    assert "fig one" in pages[1] and _words(captions[0]) in pages[1]
    assert "fig two" in pages[-1] and _words(captions[1]) in pages[-1]
    table_text = " ".join(pages[2 : 2 + n])
    assert all(f"{i} {i * i}" in table_text for i in range(70))
    assert f"continued, {n}/{n}" in pages[1 + n]


def test_long_cells_wrap_whole_and_long_notes_continue_on_pages_of_their_own(tmp_path):
    long = "a cell far longer than its narrow column can hold on one line"
    note = " ".join(f"note{i}" for i in range(1500))  # far more than a page
    table = Table("Wide", ["key", "text"], [["k", long]], note=note,
                  col_widths=[0.8, 0.2])  # fmt: skip
    path = write_pdf(tmp_path / "w.pdf", title="t", settings={}, pages=[table])
    pages = [_words(p.extract_text()) for p in PdfReader(path).pages]
    assert all(word in pages[1] for word in long.split())  # wrapped, nothing cut
    assert "(notes)" in pages[2] and len(pages) >= 4  # the note over its own pages
    notes = " ".join(pages[1:])
    assert all(f"note{i}" in notes for i in range(0, 1500, 37))


def test_caption_does_not_stay_on_the_figure(tmp_path):
    fig = _figure("x")
    n_texts = len(fig.texts)
    write_pdf(
        tmp_path / "r.pdf", title="t", settings={}, pages=[CaptionedFigure(fig, "c")]
    )
    assert len(fig.texts) == n_texts


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old report")
    broken = CaptionedFigure(None, "a figure that cannot be drawn")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        write_pdf(target, title="t", settings={}, pages=[broken])
    assert target.read_bytes() == b"old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


def test_layout_kept_skips_the_layout_and_gives_the_engine_back(tmp_path):
    """Inside, a laid-out figure is drawn where it was (its axes do not move even if the
    figure's size changes); afterwards its constrained layout is back and works."""
    fig = _figure("laid out once")
    fig.set_layout_engine("constrained")
    fig.savefig(tmp_path / "a.png")
    engine = fig.get_layout_engine()
    placed = fig.axes[0].get_position().bounds
    with layout_kept([fig]):
        fig.set_size_inches(3, 2)  # a layout would now move the axes
        fig.savefig(tmp_path / "b.png")
        assert fig.axes[0].get_position().bounds == placed
    assert fig.get_layout_engine() is engine
    fig.savefig(tmp_path / "c.png")
    assert fig.axes[0].get_position().bounds != placed  # laid out again, for 3 x 2


def test_every_page_is_a4_however_large_the_figure(tmp_path):
    """A figure wider and one taller than the page land on A4 pages like the rest,
    caption and heading included, and get their own size back afterwards."""
    wide, tall = _figure("wide one"), _figure("tall one")
    wide.set_size_inches(14, 4)
    tall.set_size_inches(5, 16)
    path = write_pdf(
        tmp_path / "r.pdf",
        title="t",
        settings={},
        pages=[
            CaptionedFigure(wide, "Wide caption.", heading="Appendix A1"),
            CaptionedFigure(tall, "Tall caption."),
            Table("T", ["a"], [["1"]]),
        ],
    )
    reader = PdfReader(path)
    sizes = {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages}
    assert len(sizes) == 1
    assert next(iter(sizes)) == pytest.approx((8.27 * 72, 11.69 * 72))
    texts = [_words(p.extract_text()) for p in reader.pages]
    assert "Appendix A1" in texts[1] and "wide one" in texts[1]
    assert "Wide caption." in texts[1] and "Tall caption." in texts[2]
    assert tuple(wide.get_size_inches()) == (14, 4)
    assert tuple(tall.get_size_inches()) == (5, 16)
