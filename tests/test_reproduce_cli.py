"""`logitlab reproduce`: PDF and results.json on tiny settings, then a resumed run."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from threadpoolctl import threadpool_limits

from logitlab import __version__
from logitlab.cli import app
from logitlab.experiments import reproduce as reproduce_mod
from logitlab.experiments.cache import JobPool, ResultCache
from logitlab.experiments.paper import run as paper_run
from logitlab.experiments.paper.config import PaperConfig
from logitlab.experiments.report import run as report_run
from logitlab.experiments.report.config import ReportConfig
from logitlab.experiments.reproduce import ALL_TARGETS

TINY_PAPER = PaperConfig(
    n_train=1200, n_test=300, batch_epochs=3, minibatch_epochs=2,
    lambdas=(0.01, 0.001), sweep_epochs=3, softmax_lambdas=((1e-4,), (5e-4,)),
    softmax_epochs=2, softmax_slow_epochs=2, softmax_seeds=(1,), softmax_seed_epochs=2,
)  # fmt: skip
TINY_REPORT = ReportConfig(
    train_size=600, outer_folds=2, inner_folds=2, n_iter=2, inner_train_size=None,
    max_iter=20, svm_train_size=100, scratch_epochs=2,
)  # fmt: skip


@pytest.fixture
def tiny(monkeypatch, mnist):
    monkeypatch.setattr(PaperConfig, "fast", lambda self: TINY_PAPER)
    monkeypatch.setattr(ReportConfig, "fast", lambda self: TINY_REPORT)
    with threadpool_limits(limits=1):
        yield


def _invoke(*args):
    result = CliRunner().invoke(app, ["--quiet", "reproduce", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_all_writes_every_figure_and_number_then_resumes(tmp_path, tiny, monkeypatch):
    out = tmp_path / "repro"
    _invoke("all", "--out", str(out), "--fast", "--n-jobs", "1")
    text = "\n".join(
        page.extract_text() for page in PdfReader(out / "reproduce.pdf").pages
    )
    figs = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11a", "11b", "12"]
    for n in figs:
        assert f"Paper Fig. {n}:" in text or f"Paper Fig. {n} " in text, n
    for n in ("1", "2"):
        assert f"Report Fig. {n}:" in text, n
    assert "The documents' numbers beside ours" in text
    results = json.loads((out / "results.json").read_text())
    assert results["schema_version"] == 1  # the version keys metrics.json has
    assert results["logitlab_version"] == __version__
    assert results["timing"]["wall_seconds_this_run"] > 0  # the run's own time, kept
    keys = [row["key"] for row in results["comparison"]]
    assert keys == [t.key for t in ALL_TARGETS]
    row = next(
        r for r in results["comparison"] if r["key"] == "report.nested_cv.best_C"
    )
    assert row["document_value"] == 0.59
    assert row["measured"] == results["report"]["chosen_C"]

    # a second run recomputes nothing: every experiment function now fails if called
    def boom(settings):
        raise AssertionError("recomputed a cached experiment")

    for name in ("run_pair", "run_sweep", "run_softmax", "run_softmax_chain"):
        monkeypatch.setattr(paper_run, name, boom)
    for name in ("run_outer_fold", "run_other", "run_final", "run_scratch"):
        monkeypatch.setattr(report_run, name, boom)
    cache = ResultCache(out)  # the command's own cache, read by the same runners
    with JobPool(cache) as pool:
        paper = paper_run.run_paper(TINY_PAPER, pool)
        report = report_run.run_report(TINY_REPORT, pool)
    assert (
        paper["pair.2v3.batch"]["test_accuracy"]
        == results["paper"]["pair.2v3.batch"]["test_accuracy"]
    )
    assert report["C"] == results["report"]["chosen_C"]

    # from the cache on two workers: one draws the PDF while this process draws the
    # HTML; the same file as drawn here
    drawn_here = (out / "reproduce.pdf").read_bytes()
    _invoke("all", "--out", str(out), "--fast", "--n-jobs", "2")
    assert (out / "reproduce.pdf").read_bytes() == drawn_here

    # the command again, from the cache, all cores, its summary as JSON
    args = ["paper", "--out", str(out), "--fast", "--n-jobs", "-1", "--json"]
    summary = json.loads(_invoke(*args).stdout)
    assert summary["schema_version"] == 1
    names = ("reproduce.pdf", "reproduce.html", "results.json")
    assert summary["written"] == [str(out / name) for name in names]
    paper_rows = json.loads((out / "results.json").read_text())["comparison"]
    assert summary["compared"] == len(paper_rows) > 0


def test_bad_option_values_are_one_line_errors(tmp_path):
    result = CliRunner().invoke(
        app, ["reproduce", "report", "--out", str(tmp_path), "--svm-train-size", "3"]
    )
    assert result.exit_code != 0 and "svm-train-size" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "reproduce.pdf").exists()


def test_a_failure_while_the_worker_draws_the_pdf_leaves_the_folder_as_it_was(
    tmp_path, tiny, monkeypatch
):
    out = tmp_path / "repro"
    _invoke("all", "--out", str(out), "--fast", "--n-jobs", "1")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reproduce_mod, "write_report_html", disk_full)
    result = CliRunner().invoke(
        app, ["--quiet", "reproduce", "all", "--out", str(out), "--fast",
              "--n-jobs", "2"],
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
