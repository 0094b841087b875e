"""`logitlab reproduce paper|report|all`: the two documents' experiments, made again.

    $ logitlab reproduce all --out repro            # full: tens of minutes on 2 cores
    $ logitlab reproduce paper --out repro --fast   # reduced settings, about a minute

Writes OUT/reproduce.pdf and OUT/results.json; every experiment's result is cached in
OUT/cache, so an interrupted run picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from logitlab.cli import app
from logitlab.cli.data import mnist_dir_option
from logitlab.data import load_dataset
from logitlab.experiments.paper.config import PaperConfig
from logitlab.experiments.report.config import SAMPLERS, SVM_PIXELS, ReportConfig
from logitlab.experiments.reproduce import reproduce as run_reproduce


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
        click.option(
            "--n-jobs",
            type=click.IntRange(1, 64),
            default=2,
            show_default=True,
            help="Experiments run in parallel worker processes.",
        ),
        mnist_dir_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _report_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--svm-pixels",
        type=click.Choice(SVM_PIXELS),
        default=ReportConfig.svm_pixels,
        show_default=True,
        help="Pixels the SVM sees: standardised like every model of the report, or "
        "raw /255. The report's SVM (0.98): --svm-train-size 60000 --svm-pixels raw.",
    )(f)
    f = click.option(
        "--svm-train-size",
        type=click.IntRange(10, 60000),
        default=ReportConfig.svm_train_size,
        show_default=True,
        help="Training images for the SVM of the comparison (all 60,000 take many "
        "minutes on 2 cores).",
    )(f)
    return click.option(
        "--c-sampler",
        type=click.Choice(SAMPLERS),
        default=ReportConfig.sampler,
        show_default=True,
        help="How the inner search draws C from [0.01, 10]: uniform as the report "
        "did, or log-uniform (as many small C as large).",
    )(f)


@app.group()
def reproduce() -> None:
    """Reproduce the paper (seed 002) and the report (seed 003) with their numbers."""


def _run(
    part: str,
    out: Path,
    fast: bool,
    n_jobs: int,
    mnist_dir: Path | None,
    report_cfg: ReportConfig | None = None,
) -> None:
    load_dataset("mnist", mnist_dir=mnist_dir)  # fill the cache the workers read
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
    click.echo(
        f"wrote {out / 'reproduce.pdf'} and {out / 'results.json'}: {len(rows)} "
        f"published numbers compared, {off} differ beyond noise (explained in the PDF)"
    )


@reproduce.command()
@_options
def paper(out: Path, fast: bool, n_jobs: int, mnist_dir: Path | None) -> None:
    """The paper: pairs 2v3 / 2v8, L1/L2 sweeps, softmax (Figs. 1–12)."""
    _run("paper", out, fast, n_jobs, mnist_dir)


@reproduce.command()
@_options
@_report_options
def report(
    out: Path,
    fast: bool,
    n_jobs: int,
    mnist_dir: Path | None,
    svm_train_size: int,
    svm_pixels: str,
    c_sampler: str,
) -> None:
    """The report: nested CV of C, metrics, ROC, SVM/KNN/tree, from-scratch softmax."""
    cfg = ReportConfig(
        svm_train_size=svm_train_size, svm_pixels=svm_pixels, sampler=c_sampler
    )
    _run("report", out, fast, n_jobs, mnist_dir, cfg)


@reproduce.command(name="all")
@_options
@_report_options
def all_(
    out: Path,
    fast: bool,
    n_jobs: int,
    mnist_dir: Path | None,
    svm_train_size: int,
    svm_pixels: str,
    c_sampler: str,
) -> None:
    """Both documents into one reproduce.pdf."""
    cfg = ReportConfig(
        svm_train_size=svm_train_size, svm_pixels=svm_pixels, sampler=c_sampler
    )
    _run("all", out, fast, n_jobs, mnist_dir, cfg)
