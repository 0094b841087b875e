"""`logitlab reproduce`: run the paper and/or the report, write reproduce.pdf and
results.json side by side with what the documents say.

Results are cached under OUT/cache by their settings (see `cache`), so a second run,
or one resumed after an interruption, only computes what is missing.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logitlab import __version__
from logitlab._atomic import output_transaction
from logitlab._console import info, progress_bar
from logitlab._json import plain
from logitlab.experiments.cache import JobPool, ResultCache
from logitlab.experiments.comparison import Comparison, Target, compare
from logitlab.experiments.paper import config as paper_config
from logitlab.experiments.paper import pages as paper_pages
from logitlab.experiments.paper import run as paper_run
from logitlab.experiments.paper.config import PaperConfig
from logitlab.experiments.paper.targets import PAPER_TARGETS
from logitlab.experiments.report import config as report_config
from logitlab.experiments.report import pages as report_pages
from logitlab.experiments.report import run as report_run
from logitlab.experiments.report.config import ReportConfig
from logitlab.experiments.report.targets import REPORT_TARGETS
from logitlab.html import write_report_html
from logitlab.pdf import CaptionedFigure, Table, write_pdf

PARTS = ("paper", "report", "all")
ALL_TARGETS: tuple[Target, ...] = PAPER_TARGETS + REPORT_TARGETS


def _fmt(value: float | None, target: Target) -> str:
    if value is None:
        return "—"
    if target.kind == "setting" and target.decimals == 0:
        return f"{value:.0f}"
    return f"{value:.4f}" if abs(value) < 100 else f"{value:.4g}"


def _reading(t: Target) -> str:
    """The row's reading and the short name of its protocol (defined in the note)."""
    protocol = t.protocol.split(":", 1)[0]
    return "; ".join(part for part in (t.reading, protocol) if part)


def comparison_table(rows: list[Comparison], notes_before: Sequence[str] = ()) -> Table:
    """The "document says / logitlab measured / difference" table with its notes.

    Every row names the reading of the document it follows and the data it was
    measured on; `notes_before` are paragraphs that come before the numbered notes.
    """
    notes: dict[str, int] = {}
    cells = []
    for row in rows:
        t = row.target
        note = row.note
        ref = ""
        if note:
            ref = f"[{notes.setdefault(note, len(notes) + 1)}]"
        diff = row.difference
        cells.append(
            [
                t.what,
                t.where,
                _reading(t),
                _fmt(t.value, t),
                _fmt(row.measured, t),
                "—" if diff is None else f"{diff:+.4f}",
                f"{row.noise:.4f}",
                ref + (" beyond noise" if row.beyond_noise else ""),
            ]
        )
    protocols = dict.fromkeys(r.target.protocol for r in rows if r.target.protocol)
    text = "\n".join(f"[{n}] {note}" for note, n in notes.items())
    return Table(
        "The documents' numbers beside ours",
        ["quantity", "where", "reading; data", "doc.", "ours", "diff.", "noise",
         "note"],
        cells,
        note="\n".join(
            [
                *notes_before,
                "Data: " + "; ".join(protocols) + ".",
                "noise = the rounding of the printed number + 2 binomial standard "
                "errors of the set the accuracy is measured on. Notes explain every "
                "difference beyond noise:",
                text,
            ]
        ),
        col_widths=[0.23, 0.09, 0.21, 0.09, 0.09, 0.08, 0.07, 0.14],
    )  # fmt: skip


def _comparison_json(rows: list[Comparison]) -> list[dict[str, Any]]:
    return [
        {
            "key": r.target.key,
            "document": r.target.document,
            "where": r.target.where,
            "what": r.target.what,
            "document_value": r.target.value,
            "measured": r.measured,
            "difference": r.difference,
            "noise": r.noise,
            "beyond_noise": r.beyond_noise,
            "note": r.note,
            "reading": r.target.reading,
            "protocol": r.target.protocol,
        }
        for r in rows
    ]


def _compute_seconds(results: Any) -> float:
    """Sum of the stored per-experiment compute times (survives resumed runs)."""
    if isinstance(results, dict):
        own = results.get("elapsed_s", 0.0)
        return float(own) + sum(_compute_seconds(v) for v in results.values())
    if isinstance(results, list):
        return sum(_compute_seconds(v) for v in results)
    return 0.0


@dataclass(frozen=True)
class Documents:
    """What a run computed: each document's settings and results (None if not run)."""

    fast: bool
    paper_cfg: PaperConfig
    paper: dict[str, Any] | None
    report_cfg: ReportConfig
    report: dict[str, Any] | None

    def pages(self) -> list[CaptionedFigure | Table]:
        """The figures and tables after the comparison, paper first."""
        pages: list[CaptionedFigure | Table] = []
        if self.paper is not None:
            pages += paper_pages.pages(self.paper_cfg, self.paper)
        if self.report is not None:
            pages += report_pages.pages(self.report_cfg, self.report)
        return pages

    def measured(self) -> tuple[tuple[Target, ...], dict[str, float], dict[str, int]]:
        """The documents' numbers, ours under the same keys, each one's eval size."""
        targets: tuple[Target, ...] = ()
        measured: dict[str, float] = {}
        n_eval: dict[str, int] = {}
        if self.paper is not None:
            m, n = paper_run.measured_numbers(self.paper_cfg, self.paper)
            targets, measured, n_eval = targets + PAPER_TARGETS, m, n
        if self.report is not None:
            m, n = report_run.measured_numbers(self.report_cfg, self.report)
            targets += REPORT_TARGETS
            measured, n_eval = measured | m, n_eval | n
        return targets, measured, n_eval

    def settings(self) -> dict[str, str]:
        """Each document's settings as one line, for the title page."""
        lines = {}
        if self.paper is not None:
            lines["paper"] = _settings_line(self.paper_cfg)
        if self.report is not None:
            lines["report"] = _settings_line(self.report_cfg)
        return lines


def reproduce(
    part: str,
    out: str | Path,
    *,
    fast: bool = False,
    n_jobs: int = 2,
    paper_cfg: PaperConfig | None = None,
    report_cfg: ReportConfig | None = None,
) -> dict[str, Any]:
    """Run `part` ("paper", "report" or "all") into `out`; return the results dict."""
    out = Path(out)
    paper_cfg = paper_cfg or PaperConfig()
    report_cfg = report_cfg or ReportConfig()
    if fast:
        paper_cfg, report_cfg = paper_cfg.fast(), report_cfg.fast()
    paper, report = part in ("paper", "all"), part in ("report", "all")
    start = time.perf_counter()
    bar = whole_run_bar(part, paper_cfg, report_cfg)
    warm_up = functools.partial(
        preload, paper_cfg if paper else None, report_cfg if report else None
    )
    cache = ResultCache(out)
    with JobPool(cache, n_jobs=n_jobs, bar=bar, warm_up=warm_up) as pool:
        try:
            # every job known now, in one queue, so both cores stay busy to the end
            if paper:
                pool.submit(list(paper_run.planned_jobs(paper_cfg).values()))
            if report:
                pool.submit(report_run.first_jobs(report_cfg)[0])
            # the report first: its final models join the queue once its folds end
            report_res = report_run.run_report(report_cfg, pool) if report else None
            paper_res = paper_run.run_paper(paper_cfg, pool) if paper else None
        finally:
            bar.close()
        info(f"experiments done in {time.perf_counter() - start:.0f} s")
        docs = Documents(fast, paper_cfg, paper_res, report_cfg, report_res)
        results = _results(docs)
        # the experiments' wall time, written into results.json (before the writing)
        results["timing"]["wall_seconds_this_run"] = time.perf_counter() - start
        _write(out, cache, docs, results, pool)
    return results


def preload(paper_cfg: PaperConfig | None, report_cfg: ReportConfig | None) -> None:
    """A worker's warm-up: the data of the documents being run (see `JobPool`)."""
    if paper_cfg is not None:
        paper_config.preload(paper_cfg)
    if report_cfg is not None:
        report_config.preload(report_cfg)


def _results(docs: Documents) -> dict[str, Any]:
    """results.json's content, but the comparison."""
    results: dict[str, Any] = {  # the version keys as metrics.json names them
        "schema_version": 1,
        "logitlab_version": __version__,
        "fast": docs.fast,
        "timing": {},
    }
    if docs.paper is not None:
        results["paper"] = paper_run.summary(docs.paper_cfg, docs.paper)
        results["timing"]["paper"] = {"compute_seconds": _compute_seconds(docs.paper)}
    if docs.report is not None:
        results["report"] = report_run.summary(docs.report_cfg, docs.report)
        results["timing"]["report"] = {"compute_seconds": _compute_seconds(docs.report)}
    return results


def _write(
    out: Path,
    cache: ResultCache,
    docs: Documents,
    results: dict[str, Any],
    pool: JobPool,
) -> None:
    """reproduce.pdf (drawn by a worker), reproduce.html and results.json (drawn
    here, meanwhile): all three files or, on failure, none."""
    targets, measured, n_eval = docs.measured()
    rows = compare(targets, measured, n_eval)
    results["comparison"] = _comparison_json(rows)
    bias = paper_run.softmax_bias_note(measured) if docs.paper is not None else ""
    fast = " FAST: reduced settings, for a quick look only." if docs.fast else ""
    front: dict[str, Any] = dict(
        title="logitlab reproduce" + (" (--fast)" if docs.fast else ""),
        subtitle=(
            "The paper 'Logistic and Softmax Regression for Handwritten Digits "
            "Classification' (Zhu & Guo, seed 002) and the report 'Logistic "
            "Regression for MNIST Dataset Classification' (Montez, seed 003), made "
            "again." + fast
        ),
        settings=docs.settings()
        | {"cache": f"{cache.root} (delete it to recompute everything)"},
    )
    table = comparison_table(rows, [bias] if bias else [])
    with output_transaction(out) as tx:
        pdf = pool.call(write_pdf_of, tx.path("reproduce.pdf"), docs, front, table)
        try:
            pages = [table, *docs.pages()]
            write_report_html(tx.path("reproduce.html"), **front, pages=pages)
            tx.write_text(
                "results.json",
                json.dumps(plain(results), indent=1, allow_nan=False, default=str),
            )
            pdf.result()
        except BaseException:
            pool.stop()  # before the roll-back: the worker must not write on
            raise


def write_pdf_of(
    path: Path, docs: Documents, front: dict[str, Any], table: Table
) -> None:
    """reproduce.pdf: the comparison `table`, then the documents' pages."""
    write_pdf(path, **front, pages=[table, *docs.pages()])


def whole_run_bar(part: str, paper_cfg: PaperConfig, report_cfg: ReportConfig) -> Any:
    """One progress bar for the whole run, in estimated seconds of work: every job
    advances it by its cost, so its rate and ETA cover both documents."""
    total = 0.0
    if part in ("paper", "all"):
        total += sum(j.cost for j in paper_run.planned_jobs(paper_cfg).values())
    if part in ("report", "all"):
        total += report_run.planned_cost(report_cfg)
    return progress_bar(
        round(total), desc=f"reproduce {part}", unit="s of work", unit_scale=False,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} elapsed, "
        "{remaining} to go",
    )  # fmt: skip


def _plain_value(value: Any) -> str:
    """A setting as a reader writes it: 0.01, 0.001; (2, 3), (2, 8); all; yes/no."""
    if value is None:
        return "all"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        if value and all(isinstance(v, (tuple, list)) for v in value):
            return "; ".join(f"({_plain_value(v)})" for v in value)
        return ", ".join(_plain_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _settings_line(cfg: Any) -> str:
    """Every setting as "name value", names in words, separated by " · "."""
    return " · ".join(
        f"{k.replace('_', ' ')} {_plain_value(v)}"
        for k, v in dataclasses.asdict(cfg).items()
    )
