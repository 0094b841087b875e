"""`logitlab homework`: the whole homework (seed 000) in one command.

Writes report.pdf (or ID.pdf), figures/*.png, model.h5 and metrics.json into --out, all
moved into place only once everything is written; prints the summary table at the end.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import click

from logitlab.cli import Number, app
from logitlab.cli._common import to_json
from logitlab.cli.options import ImportedDefault, dataset_options, json_option

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
EXAMPLES = """\b
Examples:
  logitlab homework                          # MNIST 0 vs 1 -> ./logitlab-homework/
  logitlab homework --digits 3 8 --lr 0.05 --out hw38 --id 123456789
  logitlab homework --dataset fashion-mnist --digits 0 6 --json"""


def _table(columns: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [columns, *rows]) for i in range(len(columns))]
    line = "  ".join
    out = [line(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    out.append(line("-" * w for w in widths))
    out += [line(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


@app.command(epilog=EXAMPLES)
@click.option(
    "--digits",
    nargs=2,
    type=click.IntRange(0, 9),
    default=(0, 1),
    show_default=True,
    help="The two classes: the first becomes label 0, the second label 1 (positive).",
)
@dataset_options
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Full-batch gradient-descent epochs of the from-scratch model.",
)
@click.option(
    "--lr",
    "learning_rate",
    cls=ImportedDefault,
    default_from="logitlab.experiments.homework:DEFAULT_LEARNING_RATE",
    type=Number(min=0, min_open=True),
    show_default=True,
    help="Fixed learning rate (the report explains the default).",
)
@click.option(
    "--validation-fraction",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.1,
    show_default=True,
    help="Share of the training set held out for the learning curves.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the hold-out split."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("logitlab-homework"),
    show_default=True,
    help="Output folder (created if missing; files of the same names are replaced).",
)
@click.option(
    "--id",
    "student_id",
    default=None,
    help="Name the report ID.pdf, as the homework asks (e.g. 123456789).",
)
@json_option
def homework(
    digits: tuple[int, int],
    dataset: str,
    dataset_dir: Path | None,
    epochs: int,
    learning_rate: float,
    validation_fraction: float,
    seed: int,
    out: Path,
    student_id: str | None,
    as_json: bool,
) -> None:
    """Do the homework: scikit-learn check, descent from scratch, the report."""
    from logitlab._console import info
    from logitlab.experiments.homework import HomeworkSettingsError, run_homework

    if out.exists() and not out.is_dir():
        raise HomeworkSettingsError(f"--out {out} exists and is not a folder")
    if student_id is not None and not _ID.fullmatch(student_id):
        raise HomeworkSettingsError(
            f"--id {student_id!r} must be letters, digits, '.', '_' or '-'"
        )
    start = time.perf_counter()
    result = run_homework(
        digits,
        dataset=dataset,
        epochs=epochs,
        learning_rate=learning_rate,
        validation_fraction=validation_fraction,
        seed=seed,
        mnist_dir=dataset_dir,
    )
    info("writing the report ...")
    pdf = f"{student_id or 'report'}.pdf"
    written = result.save(out, pdf_name=pdf)
    summary = result.summary_table()
    if as_json:
        rows = [dict(zip(summary.columns, r, strict=True)) for r in summary.rows]
        click.echo(
            to_json(
                {
                    "schema_version": 1,
                    "out": str(out),
                    "written": sorted(str(p) for p in written.values()),
                    "summary": {"title": summary.title, "rows": rows},
                }
            )
        )
        return
    click.echo(f"\n{summary.title}")
    click.echo(_table(list(summary.columns), [list(r) for r in summary.rows]))
    click.echo(f"\nWrote {pdf}, model.h5, metrics.json and figures/*.png to {out}/")
    click.echo(f"Done in {time.perf_counter() - start:.1f} s.")
