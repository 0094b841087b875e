"""The homework as a whole: run it, draw it, write it out (seed 000).

    from logitlab.experiments.homework import run_homework
    result = run_homework(digits=(0, 1))      # loads MNIST, trains both models
    result.metrics["scratch"]["final"]["accuracy"]
    result.figures["loss"]                    # a matplotlib Figure
    result.save("logitlab-homework")  # report.pdf, figures/, model.h5, metrics.json

`run` computes, `figures` draws, `pages` lays out the PDF; this module runs the three in
that order and writes the outputs (`write_outputs`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from matplotlib.figure import Figure

from logitlab.data import DatasetSplit
from logitlab.experiments.homework.config import (
    DEFAULT_LEARNING_RATE,
    HomeworkConfig,
    HomeworkSettingsError,
    check_student,
)
from logitlab.experiments.homework.figures import make_figures
from logitlab.experiments.homework.handin import handin_script
from logitlab.experiments.homework.pages import front_matter, pages, summary_table
from logitlab.experiments.homework.run import HomeworkRun, run_experiments
from logitlab.pdf import CaptionedFigure, Table, layout_kept, write_pdf
from logitlab.persistence import save_model


@dataclass
class HomeworkResult(HomeworkRun):
    """Numbers, figures and models of one homework run; `save` writes them out."""

    figures: dict[str, Figure] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)

    def summary_table(self) -> Table:
        """Both models' test numbers side by side (the title page and the console)."""
        return summary_table(self)

    def pages(self) -> list[CaptionedFigure | Table]:
        """The figures in the PDF's order with their captions, then the tables."""
        return pages(self, self.figures, self.captions)

    def save(
        self,
        out_dir: str | os.PathLike[str],
        *,
        student_id: str | None = None,
        student_name: str | None = None,
    ) -> dict[str, Path]:
        """Write PDF, script, figures, model and metrics under `out_dir`
        (write_outputs)."""
        return write_outputs(
            self, out_dir, student_id=student_id, student_name=student_name
        )


def run_homework(
    digits: tuple[int, int] = (0, 1),
    *,
    dataset: str = "mnist",
    epochs: int = 100,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    validation_fraction: float = 0.1,
    seed: int = 0,
    mnist_dir: str | os.PathLike[str] | None = None,
    data: DatasetSplit | None = None,
) -> HomeworkResult:
    """Do the whole homework and return numbers, figures and models (nothing written).

    `data` reuses an already loaded split; otherwise `load_dataset(dataset,
    mnist_dir=mnist_dir)` provides it. Progress goes through `logitlab._console`.
    """
    config = HomeworkConfig(
        digits=(int(digits[0]), int(digits[1])),
        dataset=dataset,
        epochs=epochs,
        learning_rate=learning_rate,
        validation_fraction=validation_fraction,
        seed=seed,
    )
    run = run_experiments(config, mnist_dir=mnist_dir, data=data)
    t0 = time.perf_counter()
    figures, captions = make_figures(run)
    run.timings["figures"] = time.perf_counter() - t0
    numbers = {f.name: getattr(run, f.name) for f in fields(run)}
    return HomeworkResult(**numbers, figures=figures, captions=captions)


def output_names(student_id: str | None) -> tuple[str, str]:
    """(PDF, script) file names: ID.pdf and ID.py as the homework asks, or
    report.pdf and homework.py without an id."""
    if student_id is None:
        return "report.pdf", "homework.py"
    return f"{student_id}.pdf", f"{student_id}.py"


def write_outputs(
    result: HomeworkResult,
    out_dir: str | os.PathLike[str],
    *,
    student_id: str | None = None,
    student_name: str | None = None,
) -> dict[str, Path]:
    """Write the PDF and the script (`output_names`), figures/*.png, model.h5 and
    metrics.json under `out_dir`; id and name, if given, stand on the title page.

    Everything is written into a fresh temporary folder inside `out_dir` first and
    moved into place only when all of it exists (the PDF last), so a failure leaves
    no half-written file; files of the same names are replaced, nothing else is touched.
    """
    check_student(student_id, student_name)
    pdf_name, script_name = output_names(student_id)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise HomeworkSettingsError(f"output folder {out} exists and is not a folder")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".logitlab-homework-", dir=out))
    try:
        (tmp / "figures").mkdir()
        for name, fig in result.figures.items():
            fig.savefig(tmp / "figures" / f"{name}.png", dpi=110)
        save_model(
            result.model,
            tmp / "model.h5",
            preprocessing=result.preprocessing,
            digits=result.config.digits,
            dataset=result.config.dataset,
        )
        (tmp / "metrics.json").write_text(
            json.dumps(result.metrics, indent=1, allow_nan=False), encoding="utf-8"
        )
        (tmp / script_name).write_text(
            handin_script(
                result.config,
                tuple(result.metrics["settings"]["class_names"]),
                result.metrics["settings"]["early_epoch"],
                student_id=student_id,
                student_name=student_name,
            ),
            encoding="utf-8",
        )
        with layout_kept(result.figures.values()):  # laid out for the PNGs above
            write_pdf(
                tmp / pdf_name,
                **front_matter(
                    result,
                    result.figures,
                    result.captions,
                    student_id=student_id,
                    student_name=student_name,
                ),
            )
        (out / "figures").mkdir(exist_ok=True)
        written = {}
        for png in sorted((tmp / "figures").iterdir()):
            os.replace(png, out / "figures" / png.name)
            written[f"figures/{png.name}"] = out / "figures" / png.name
        for name in ("model.h5", "metrics.json", script_name, pdf_name):
            os.replace(tmp / name, out / name)
            written[name] = out / name
        return written
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()  # only if empty: we made it and nothing was moved in
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
