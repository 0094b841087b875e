"""`logitlab reproduce paper|report|all`: the two documents' experiments, made again.

Writes OUT/reproduce.pdf, OUT/reproduce.html (the same, as one offline page) and
OUT/results.json; every experiment's result is cached in
OUT/cache, so an interrupted run picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from logitlab.cli import app
from logitlab.cli._common import to_json
from logitlab.cli.options import (
    ImportedDefault,
    dataset_dir_options,
    imported,
    json_option,
    n_jobs_option,
)

if TYPE_CHECKING:
    from logitlab.experiments.report.config import ReportConfig

EXAMPLES = """\b
Examples:
  logitlab reproduce all --out repro            # full: tens of minutes on 2 cores
  logitlab reproduce paper --out repro --fast   # reduced settings, about a minute
  logitlab reproduce report --fast --n-jobs -1 --json"""


def _options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("logitlab-reproduce"),
            show_default=True,
            help="Folder for reproduce.pdf, results.json and the result cache.",
        ),
        click.option(
            "--fast",
            is_flag=True,
            help="Reduced settings (fewer epochs, λs, folds and images): a quick look.",
        ),
        n_jobs_option,
        dataset_dir_options,
        json_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _report_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--svm-pixels",
        cls=ImportedDefault,
        default_from="logitlab.experiments.report.config:ReportConfig.svm_pixels",
        type=click.Choice(["standardised", "raw"]),
        show_default=True,
        help="Pixels the SVM sees: standardised like every model of the report, or "
        "raw /255. The report's SVM (0.98): --svm-train-size 60000 --svm-pixels raw.",
    )(f)
    f = click.option(
        "--svm-train-size",
        cls=ImportedDefault,
        default_from="logitlab.experiments.report.config:ReportConfig.svm_train_size",
        type=click.IntRange(10, 60000),
        show_default=True,
        help="Training images for the SVM of the comparison (all 60,000 take many "
        "minutes on 2 cores).",
    )(f)
    return click.option(
        "--c-sampler",
        cls=ImportedDefault,
        default_from="logitlab.experiments.report.config:ReportConfig.sampler",
        type=click.Choice(["uniform", "loguniform"]),
        show_default=True,
        help="How the inner search draws C from [0.01, 10]: uniform as the report "
        "did, or log-uniform (as many small C as large).",
    )(f)


@app.group(epilog=EXAMPLES)
def reproduce() -> None:
    """Reproduce the paper (seed 002) and the report (seed 003) with their numbers."""


def _run(
    part: str,
    out: Path,
    fast: bool,
    n_jobs: int,
    dataset_dir: Path | None,
    as_json: bool,
    report_cfg: ReportConfig | None = None,
) -> None:
    from logitlab.data import load_dataset
    from logitlab.experiments.paper.config import PaperConfig
    from logitlab.experiments.reproduce import reproduce as run_reproduce

    load_dataset("mnist", mnist_dir=dataset_dir)  # fill the cache the workers read
    results = run_reproduce(
        part,
        out,
        fast=fast,
        n_jobs=n_jobs,
        paper_cfg=PaperConfig(),
        report_cfg=report_cfg,
    )
    rows = results["comparison"]
    off = sum(r["beyond_noise"] for r in rows)
    if as_json:
        written = [
            str(out / n) for n in ("reproduce.pdf", "reproduce.html", "results.json")
        ]
        summary = {"compared": len(rows), "beyond_noise": off, "written": written}
        click.echo(to_json({"schema_version": 1, **summary}))
        return
    click.echo(
        f"wrote {out / 'reproduce.pdf'}, {out / 'reproduce.html'} and "
        f"{out / 'results.json'}: {len(rows)} "
        f"published numbers compared, {off} differ beyond noise (explained in the PDF)"
    )


def _report_config(
    svm_train_size: int, svm_pixels: str, c_sampler: str
) -> ReportConfig:
    config = imported("logitlab.experiments.report.config:ReportConfig")
    return config(
        svm_train_size=svm_train_size, svm_pixels=svm_pixels, sampler=c_sampler
    )


@reproduce.command()
@_options
def paper(
    out: Path, fast: bool, n_jobs: int, dataset_dir: Path | None, as_json: bool
) -> None:
    """The paper: pairs 2v3 / 2v8, L1/L2 sweeps, softmax (Figs. 1–12)."""
    _run("paper", out, fast, n_jobs, dataset_dir, as_json)


@reproduce.command()
@_options
@_report_options
def report(
    out: Path,
    fast: bool,
    n_jobs: int,
    dataset_dir: Path | None,
    as_json: bool,
    svm_train_size: int,
    svm_pixels: str,
    c_sampler: str,
) -> None:
    """The report: nested CV of C, metrics, ROC, SVM/KNN/tree, from-scratch softmax."""
    cfg = _report_config(svm_train_size, svm_pixels, c_sampler)
    _run("report", out, fast, n_jobs, dataset_dir, as_json, cfg)


@reproduce.command(name="all")
@_options
@_report_options
def all_(
    out: Path,
    fast: bool,
    n_jobs: int,
    dataset_dir: Path | None,
    as_json: bool,
    svm_train_size: int,
    svm_pixels: str,
    c_sampler: str,
) -> None:
    """Both documents into one reproduce.pdf."""
    cfg = _report_config(svm_train_size, svm_pixels, c_sampler)
    _run("all", out, fast, n_jobs, dataset_dir, as_json, cfg)
