"""The HTML pages in a real browser: Debian's Chromium driven by Playwright.

Every page is opened from file:// and must log no console error and request nothing
but itself. On the live model, MNIST test digits are drawn as mouse strokes; the page's
28×28 input is run through the Python model (same probabilities to 1e-6), and the PNG
the page's button downloads is classified by `logitlab predict` (same class). The
reports must show every figure and table of the PDF beside them.

Skipped, with the reason, where the `playwright` package or a Chromium is missing
(`apt-get install chromium`; Playwright's own browser download is never used).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose
from pypdf import PdfReader
from threadpoolctl import threadpool_limits

from logitlab.cli import app
from logitlab.data import DatasetSplit
from logitlab.data.digit_images import load_digit_image
from logitlab.estimators import LogisticRegressionGD
from logitlab.experiments import homework as hw
from logitlab.experiments.report.config import ReportConfig
from logitlab.experiments.reproduce import reproduce
from logitlab.persistence import load_model

CHROMIUM = os.environ.get("LOGITLAB_CHROMIUM") or shutil.which("chromium") or ""
N_DRAWN = 20


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    if not CHROMIUM:
        pytest.skip("no Chromium: apt-get install chromium (or set LOGITLAB_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        try:
            chromium = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"]
            )
        except sync_api.Error as exc:
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {exc}")
        yield chromium
        chromium.close()


class Opened:
    """A page opened from file://, with what it logged and requested."""

    def __init__(self, browser, path: Path, **context):
        self.context = browser.new_context(accept_downloads=True, **context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(m.text) if m.type in ("error", "warning") else 0
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def check_clean(self):
        assert self.errors == []
        assert set(self.requests) == {
            self.url
        }  # nothing from the network, no data URL fetch

    def close(self):
        self.check_clean()
        self.context.close()


def _draw(page, image: np.ndarray) -> None:
    """Clear the pad, then draw `image` (28×28) as strokes: each row's runs of ink
    (pixels ≥ 128) as one mouse drag through the runs' pixel centres, scaled up."""
    page.click("#clear")  # also scrolls the pad into view
    box = page.locator("#pad").bounding_box()
    cell = box["width"] / 28

    def to_pad(row, col):
        return box["x"] + (col + 0.5) * cell, box["y"] + (row + 0.5) * cell

    for row in range(28):
        ink = np.flatnonzero(image[row] >= 128)
        for run in np.split(ink, np.flatnonzero(np.diff(ink) > 1) + 1):
            if len(run) == 0:
                continue
            page.mouse.move(*to_pad(row, run[0]))
            page.mouse.down()
            page.mouse.move(*to_pad(row, run[-1]))
            page.mouse.up()


def _state(page) -> dict:
    return page.evaluate("({...window.logitlab})")


def _download(page, path: Path) -> Path:
    with page.expect_download() as info:
        page.click("#download")
    info.value.save_as(path)
    return path


@pytest.fixture(scope="module")
def ten_class(tmp_path_factory, mnist):
    """A ten-class model from the CLI and its page."""
    out = tmp_path_factory.mktemp("ten")
    args = ["--quiet", "train", "--multiclass", "--n-train", "5000", "--n-test", "500"]
    args += ["--batch-size", "100", "--epochs", "4", "--out", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    page = out / "page.html"
    result = CliRunner().invoke(
        app, ["page", str(out / "model.h5"), "--out", str(page)]
    )
    assert result.exit_code == 0, result.output
    return out / "model.h5", page


def _python_proba(model_path: Path, pixels) -> np.ndarray:
    est = load_model(model_path)
    x = np.asarray(pixels, dtype=np.uint8).reshape(1, 784)
    return est.predict_proba(est.preprocessing_.transform(x))[0]


def test_drawn_digits_agree_with_python_and_predict(
    browser, ten_class, mnist, tmp_path
):
    model, html = ten_class
    opened = Opened(browser, html)
    page = opened.page
    pngs, labels, inputs = [], [], []
    for i in range(N_DRAWN):
        _draw(page, np.asarray(mnist.test_images[i]))
        s = _state(page)
        assert len(s["input"]) == 784 and max(s["input"]) == 255
        assert_allclose(s["proba"], _python_proba(model, s["input"]), rtol=0, atol=1e-6)
        assert s["predicted"] == int(np.argmax(s["proba"]))
        assert page.text_content("#prediction").startswith(
            f"The model says: {s['label']}"
        )
        labels.append(s["label"])
        pngs.append(str(_download(page, tmp_path / f"drawn_{i}.png")))
        inputs.append(s["input"])
    opened.close()

    result = CliRunner().invoke(
        app, ["--quiet", "predict", str(model), *pngs, "--json"]
    )
    assert result.exit_code == 0, result.output
    predicted = [row["predicted"] for row in json.loads(result.stdout)["predictions"]]
    agree = sum(a == b for a, b in zip(predicted, labels, strict=True))
    ours = np.stack([load_digit_image(p).ravel() for p in pngs])
    diff = np.abs(ours.astype(int) - np.asarray(inputs))
    # the page's resampling is a transcription of Pillow's: the same pixels (measured:
    # 20 of 20 identical); one digit may differ by a rounding at a half
    assert (diff.max(axis=1) == 0).sum() >= N_DRAWN - 1, diff.max(axis=1)
    assert diff.max() <= 1
    assert agree >= N_DRAWN - 1, (predicted, labels)
    # the drawings are digits, not noise: the model reads most as their true class
    truth = [str(d) for d in mnist.test_labels[:N_DRAWN]]
    assert sum(a == b for a, b in zip(labels, truth, strict=True)) >= 14


def _touch_stroke(page, points) -> None:
    """One finger stroke through `points` (page coordinates), as a touchscreen sends."""
    cdp = page.context.new_cdp_session(page)
    kinds = ["touchStart"] + ["touchMove"] * (len(points) - 1)
    for kind, (x, y) in zip(kinds, points, strict=True):
        touch = {"type": kind, "touchPoints": [{"x": x, "y": y}]}
        cdp.send("Input.dispatchTouchEvent", touch)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_phone_finger_and_test_digits(browser, ten_class, mnist):
    """At phone width: a finger draws a 7, and the shipped test digits are MNIST's."""
    model, html = ten_class
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    opened = Opened(browser, html, has_touch=True, **phone)
    page = opened.page
    page.locator("#pad").scroll_into_view_if_needed()
    box = page.locator("#pad").bounding_box()
    seven = [(0.25, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]  # fractions of the pad
    path = [
        (
            box["x"] + box["width"] * (a + (c - a) * t / 8),
            box["y"] + box["height"] * (b + (d - b) * t / 8),
        )
        for (a, b), (c, d) in itertools.pairwise(seven)
        for t in range(9)
    ]
    _touch_stroke(page, path)
    s = _state(page)
    assert s["input"] is not None and s["label"] == "7", s["proba"]
    assert_allclose(s["proba"], _python_proba(model, s["input"]), rtol=0, atol=1e-6)

    images = np.asarray(mnist.test_images).reshape(-1, 784)
    for _ in range(5):
        page.click("#sample")
        s = _state(page)
        hits = np.flatnonzero((images == np.asarray(s["input"])).all(axis=1))
        assert len(hits) >= 1
        true = page.text_content("#sample-label")
        assert true.endswith(str(mnist.test_labels[hits[0]]))
        assert_allclose(s["proba"], _python_proba(model, s["input"]), rtol=0, atol=1e-6)
    opened.close()


def test_guide_layout_file_from_someone_else(browser, tmp_path, mnist):
    """Only `w` and `b` (the guide's save_model): binary, pixels / 255, no scaler."""
    keep = np.isin(mnist.train_labels[:4000], (0, 1))
    X = mnist.train_images[:4000][keep].reshape(-1, 784) / 255.0
    est = LogisticRegressionGD(max_iter=20).fit(X, mnist.train_labels[:4000][keep])
    guide = tmp_path / "guide.h5"
    with h5py.File(guide, "w") as f:
        f["w"], f["b"] = est.coef_[0], est.intercept_[0]
    html = tmp_path / "guide.html"
    result = CliRunner().invoke(app, ["page", str(guide), "--out", str(html)])
    assert result.exit_code == 0, result.output
    opened = Opened(browser, html)
    page = opened.page
    assert (
        page.locator(".map").count() == 1 and page.locator("ol.proba li").count() == 2
    )
    zero_one = np.flatnonzero(np.isin(mnist.test_labels, (0, 1)))[:4]
    for i in zero_one:
        _draw(page, np.asarray(mnist.test_images[i]))
        s = _state(page)
        x = np.asarray(s["input"], np.float64) / 255.0
        p1 = 1 / (1 + np.exp(-(x @ est.coef_[0] + est.intercept_[0])))
        assert_allclose(s["proba"], [1 - p1, p1], rtol=0, atol=1e-6)
        assert s["label"] == str(mnist.test_labels[i])
    opened.close()


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check_report_matches_pdf(page, pdf: Path) -> None:
    """Every page of the PDF after the title is one figure or table of the HTML."""
    captions = page.locator("figcaption").all_text_contents()
    titles = page.locator("section.table h3").all_text_contents()
    assert captions and titles
    for k, text in enumerate(PdfReader(pdf).pages[1:]):
        squeezed = _squeeze(text.extract_text())
        shown = [c for c in captions if _squeeze(c) in squeezed]
        shown += [t for t in titles if _squeeze(t) in squeezed]
        assert shown, f"PDF page {k + 2} is not in the HTML: {squeezed[:80]}"
    for img in page.locator("figure img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")


@pytest.fixture(scope="module")
def homework(tmp_path_factory, mnist):
    ds = DatasetSplit(
        mnist.train_images[:3000], mnist.train_labels[:3000],
        mnist.test_images[:600], mnist.test_labels[:600], source="test slice",
    )  # fmt: skip
    out = tmp_path_factory.mktemp("hw")
    result = hw.run_homework((3, 8), epochs=7, data=ds)
    result.save(out)
    return out


def test_homework_page_has_the_pdfs_content_and_the_live_model(browser, homework):
    html = homework / "report.html"
    phone = {"width": 390, "height": 844}
    opened = Opened(browser, html, viewport=phone, is_mobile=True, has_touch=True)
    page = opened.page
    _check_report_matches_pdf(page, homework / "report.pdf")
    # nothing wider than the phone but inside its own scrolling box (tables, figures)
    assert page.evaluate("document.documentElement.scrollWidth") <= phone["width"]
    wide = page.locator("figure img").nth(2)  # Plot 3, two panels
    assert wide.evaluate("i => i.clientWidth < i.naturalWidth")
    wide.tap()  # a tap shows the figure at its own size
    assert wide.evaluate("i => i.clientWidth === i.naturalWidth")
    assert page.locator("#settings dt").count() >= 5
    page.click("#sample")
    s = _state(page)
    assert s["label"] in ("3", "8")
    assert_allclose(
        s["proba"], _python_proba(homework / "model.h5", s["input"]), rtol=0, atol=1e-6
    )
    opened.close()


TINY_REPORT = ReportConfig(
    train_size=600, outer_folds=2, inner_folds=2, n_iter=2, inner_train_size=None,
    max_iter=20, svm_train_size=100, scratch_epochs=2,
)  # fmt: skip


def _column(table, k: int) -> list[str]:
    """The texts of column k in the rows shown, top to bottom."""
    cells = table.locator(f"tbody tr:not([hidden]) td:nth-child({k + 1})")
    return cells.all_text_contents()


def test_reproduce_page_sorts_and_filters_the_comparison(browser, tmp_path, mnist):
    with threadpool_limits(limits=1):
        reproduce("report", tmp_path, n_jobs=1, report_cfg=TINY_REPORT)
    opened = Opened(
        browser, tmp_path / "reproduce.html", viewport={"width": 1280, "height": 900}
    )
    page = opened.page
    _check_report_matches_pdf(page, tmp_path / "reproduce.pdf")
    section = page.locator("section.table").filter(
        has_text="The documents' numbers beside ours"
    )
    table = section.locator("table")
    headers = table.locator("thead th").all_text_contents()
    measured = headers.index("ours")  # logitlab measured
    n_rows = table.locator("tbody tr").count()

    def numbers():
        cells = _column(table, measured)
        return [float(v) for v in cells if v not in ("—", "n/a", "")]

    before = numbers()
    table.locator("thead th").nth(measured).click()
    assert numbers() == sorted(before)
    table.locator("thead th").nth(measured).click()
    assert numbers() == sorted(before, reverse=True)

    section.locator("input.filter").fill("accuracy")
    shown = table.locator("tbody tr:not([hidden])").all_text_contents()
    hidden = table.locator("tbody tr[hidden]").all_text_contents()
    assert shown and hidden and len(shown) + len(hidden) == n_rows
    assert all("accuracy" in r.lower() for r in shown)
    assert not any("accuracy" in r.lower() for r in hidden)
    assert section.locator(".count").text_content() == f"{len(shown)} of {n_rows} rows"
    section.locator("input.filter").fill("")
    assert table.locator("tbody tr:not([hidden])").count() == n_rows
    opened.close()


def _page_json(html: Path) -> dict:
    text = html.read_text(encoding="utf-8")
    found = re.search(
        r'<script type="application/json" id="logitlab-model">(.*?)</script>',
        text,
        re.S,
    )
    assert found
    return json.loads(found.group(1))


def test_page_writes_the_model_file_exactly(ten_class):
    """Without a browser: the page's JSON is the file's weights, read with h5py."""
    model, html = ten_class
    spec = _page_json(html)
    with h5py.File(model, "r") as f:
        assert np.array_equal(np.asarray(spec["weights"]).T, f["W"][()])
        assert np.array_equal(spec["bias"], f["b"][()])
        assert np.array_equal(spec["prep"]["mean"], f["scaler_mean"][()])
        assert np.array_equal(spec["prep"]["scale"], f["scaler_scale"][()])
        assert spec["prep"]["pixel_scale"] == f.attrs["pixel_scale"]
    assert spec["classes"] == [str(d) for d in range(10)] and not spec["binary"]
    assert len(spec["samples"]) == 40
    text = html.read_text()
    assert "<script src" not in text and "://" not in text  # nothing to fetch


@pytest.mark.parametrize("bad", ["missing.h5", "not_hdf5.h5"])
def test_page_of_a_bad_model_file_is_one_line_and_writes_nothing(tmp_path, bad):
    (tmp_path / "not_hdf5.h5").write_text("hello")
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["page", str(tmp_path / bad), "--out", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("logitlab: error: ") and bad in lines[0]
    )
    assert not out.exists()


def test_page_without_samples_reads_no_data(tmp_path, ten_class, monkeypatch):
    model, _ = ten_class
    monkeypatch.setenv("LOGITLAB_MNIST_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "empty-cache"))
    out = tmp_path / "page.html"
    args = ["page", str(model), "--out", str(out), "--samples", "0"]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert _page_json(out)["samples"] == []
