"""One source for the hyperparameters: estimators, their docs and checks, and the CLI.

`logitlab.hyperparameters` must agree with the estimators' signatures; the docstrings,
scikit-learn constraints and `train`'s options made from it must say and do what the
table says.
"""

from __future__ import annotations

import inspect

import click
import numpy as np
import pytest

from logitlab.cli import app
from logitlab.cli.options import CLI_DEFAULTS, NOT_ON_COMMAND_LINE, cli_name
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.hyperparameters import BY_NAME, HYPERPARAMETERS
from logitlab.optim.schedules import SCHEDULES

ESTIMATORS = [LogisticRegressionGD, SoftmaxRegressionGD]
X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]] * 5)
Y = np.array([0, 0, 1, 1] * 5)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_the_table_is_the_signature(cls):
    signature = inspect.signature(cls).parameters
    assert list(signature) == [h.name for h in HYPERPARAMETERS]
    for h in HYPERPARAMETERS:
        assert signature[h.name].default == h.default, h.name


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_the_docstring_documents_every_parameter_in_numpydoc(cls):
    doc = inspect.getdoc(cls)
    section = doc.split("Parameters\n----------\n", 1)[1]
    for h in HYPERPARAMETERS:
        assert f"\n{h.name} : {h.numpydoc_type()}\n" in "\n" + section, h.name
    assert section.index("verbose :") < section.index("Examples\n--------")


def test_schedules_are_the_optimisers():
    assert set(BY_NAME["schedule"].choices) == set(SCHEDULES)


def _numbers():
    return [h for h in HYPERPARAMETERS if h.kind in (int, float)]


@pytest.mark.parametrize("h", _numbers(), ids=lambda h: h.name)
def test_bounds_are_enforced_as_the_table_says(h):
    """Each end: allowed when closed, refused when open; beyond it always refused."""
    fit = LogisticRegressionGD(max_iter=1).set_params
    for end, closed_side, step in ((h.low, "left", -1), (h.high, "right", 1)):
        if end is None:
            continue
        included = h.closed in (closed_side, "both")
        value = h.kind(end)
        if included:
            fit(**{h.name: value}).fit(X, Y)
        else:
            with pytest.raises(ValueError, match=h.name):
                fit(**{h.name: value}).fit(X, Y)
        with pytest.raises(ValueError, match=h.name):
            fit(**{h.name: value + step}).fit(X, Y)
    if h.nullable:
        fit(**{h.name: None}).fit(X, Y)


@pytest.mark.parametrize("h", [h for h in HYPERPARAMETERS if h.choices], ids=str)
def test_choices_are_enforced(h):
    for choice in h.choices:
        LogisticRegressionGD(max_iter=1, **{h.name: choice}).fit(X, Y)
    with pytest.raises(ValueError, match=h.name):
        LogisticRegressionGD(**{h.name: "no-such-choice"}).fit(X, Y)


def _train_options() -> dict[str, click.Option]:
    command = app.commands["train"]
    return {p.name: p for p in command.params if isinstance(p, click.Option)}


def test_train_has_every_hyperparameter_with_the_tables_help_and_default():
    options = _train_options()
    for h in HYPERPARAMETERS:
        if h.name in NOT_ON_COMMAND_LINE:  # (verbose is -v/--verbose)
            assert h.name not in options or h.name == "verbose"
            continue
        option = options[h.name]
        assert cli_name(h.name) in option.opts
        default = CLI_DEFAULTS.get(h.name, h.default)
        assert option.default == ("none" if default is None and h.choices else default)
        expected = " ".join(h.doc.split())
        for other in HYPERPARAMETERS:
            flag = (
                other.name
                if other.name in NOT_ON_COMMAND_LINE
                else cli_name(other.name)
            )
            expected = expected.replace(f"`{other.name}`", flag)
        assert option.help == expected.replace("`", ""), h.name
        if h.choices:
            assert list(option.type.choices) == [c or "none" for c in h.choices]


def test_cli_names_in_help_replace_parameter_names():
    help_text = _train_options()["tol"].help
    assert "--epochs" in help_text and "max_iter" not in help_text


def test_imported_defaults_are_the_experiments():
    from logitlab.experiments.homework import DEFAULT_LEARNING_RATE
    from logitlab.experiments.report.config import SAMPLERS, ReportConfig

    ctx = click.Context(app)
    homework = {p.name: p for p in app.commands["homework"].params}
    assert homework["learning_rate"].get_default(ctx) == DEFAULT_LEARNING_RATE
    report = {p.name: p for p in app.commands["reproduce"].commands["report"].params}
    assert report["svm_train_size"].get_default(ctx) == ReportConfig.svm_train_size
    assert report["c_sampler"].get_default(ctx) == ReportConfig.sampler
    assert set(report["c_sampler"].type.choices) == set(SAMPLERS)
