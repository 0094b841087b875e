"""`logitlab homework`: the whole homework (seed 000) in one command.

Writes report.pdf, report.html and homework.py (with --id: ID.pdf, ID.html and ID.py,
the hand-in the homework asks for), figures/*.png, model.h5 and metrics.json into
--out, all moved into place only once everything is written; prints the summary table
at the end.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from logitlab.cli import Number, app
from logitlab.cli._common import to_json
from logitlab.cli.options import ImportedDefault, dataset_options, json_option

EXAMPLES = """\b
Examples:
  logitlab homework                          # MNIST 0 vs 1 -> ./logitlab-homework/
  logitlab homework --digits 3 8 --lr 0.05 --out hw38 --id 123456789 --name "Ada L."
  logitlab homework --dataset fashion-mnist --digits 0 6 --json"""


def _check_id(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """Checked while parsing, before any work: a bad id fails at once."""
    from logitlab.experiments.homework.config import check_student

    check_student(value, None)
    return value


def _check_name(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    from logitlab.experiments.homework.config import check_student

    check_student(None, value)
    return value


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
    default_from="logitlab.experiments.homework.config:DEFAULT_LEARNING_RATE",
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
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the hold-out split.",
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
    student_name: str | None,
    as_json: bool,
) -> None:
    """Do the homework: scikit-learn check, descent from scratch, the report."""
    from logitlab._atomic import check_output_folder
    from logitlab._console import info
    from logitlab.experiments.homework import run_homework
    from logitlab.experiments.homework.document import output_names

    pdf, script = output_names(student_id)
    html = Path(pdf).with_suffix(".html").name
    # before the work: a folder we can write, and no read-only file in the way
    check_output_folder(out, [pdf, html, script, "model.h5", "metrics.json"])
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
    info("writing the PDF, the page and the script ...")
    written = result.save(out, student_id=student_id, student_name=student_name)
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
    click.echo(
        f"\nWrote {pdf}, {html}, {script}, model.h5, metrics.json and figures/*.png"
        f" to {out}/"
    )
    click.echo(f"Done in {time.perf_counter() - start:.1f} s.")
