"""`logitlab homework`: the whole homework (seed 000) in one command.

    $ logitlab homework                       # MNIST 0 vs 1 -> ./logitlab-homework/
    $ logitlab homework --digits 3 8 --lr 0.05 --out hw38 --id 123456789 --name "Ada L."

Writes report.pdf and homework.py (with --id: ID.pdf and ID.py, the hand-in the homework
asks for), figures/*.png, model.h5 and metrics.json into --out, all moved into place
only once everything is written; prints the summary table at the end.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from logitlab._console import info, set_quiet
from logitlab.cli import Number, app
from logitlab.cli.data import dataset_options
from logitlab.experiments.homework import (
    DEFAULT_LEARNING_RATE,
    HomeworkSettingsError,
    run_homework,
)
from logitlab.experiments.homework.config import check_student
from logitlab.experiments.homework.document import output_names


def _check_id(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """Checked while parsing, before any work: a bad id fails at once."""
    check_student(value, None)
    return value


def _check_name(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    check_student(None, value)
    return value


def _table(columns: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [columns, *rows]) for i in range(len(columns))]
    line = "  ".join
    out = [line(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    out.append(line("-" * w for w in widths))
    out += [line(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


@app.command()
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
    type=Number(min=0, min_open=True),
    default=DEFAULT_LEARNING_RATE,
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
    callback=_check_id,
    help="Student id: write the hand-in as ID.pdf and ID.py, as the homework asks "
    "(e.g. 123456789), with the id on the title page.",
)
@click.option(
    "--name",
    "student_name",
    default=None,
    callback=_check_name,
    help="Student name for the title page and the script's docstring.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or epoch lines.")
def homework(
    digits: tuple[int, int],
    dataset: str,
    mnist_dir: Path | None,
    epochs: int,
    learning_rate: float,
    validation_fraction: float,
    seed: int,
    out: Path,
    student_id: str | None,
    student_name: str | None,
    quiet: bool,
) -> None:
    """Do the homework: scikit-learn check, descent from scratch, the report."""
    if quiet:
        set_quiet(True)
    if out.exists() and not out.is_dir():
        raise HomeworkSettingsError(f"--out {out} exists and is not a folder")
    start = time.perf_counter()
    result = run_homework(
        digits,
        dataset=dataset,
        epochs=epochs,
        learning_rate=learning_rate,
        validation_fraction=validation_fraction,
        seed=seed,
        mnist_dir=mnist_dir,
    )
    info("writing the PDF and the script ...")
    result.save(out, student_id=student_id, student_name=student_name)
    summary = result.summary_table()
    click.echo(f"\n{summary.title}")
    click.echo(_table(list(summary.columns), [list(r) for r in summary.rows]))
    pdf, script = output_names(student_id)
    click.echo(
        f"\nWrote {pdf}, {script}, model.h5, metrics.json and figures/*.png to {out}/"
    )
    click.echo(f"Done in {time.perf_counter() - start:.1f} s.")
