"""A fit draws an epoch bar only when asked (verbose > 0), even in a terminal."""

from __future__ import annotations

import io
import sys

import numpy as np

from logitlab.estimators import LogisticRegressionGD


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _fit(verbose):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    return LogisticRegressionGD(max_iter=4, verbose=verbose).fit(X, X[:, 0] > 0)


def _fit_in_a_terminal(monkeypatch, verbose):
    """stderr that says it is a terminal, as a user's would (set in the test itself:
    pytest puts its own capture back between a fixture and the test)."""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    _fit(verbose)
    return terminal.getvalue()


def test_no_bar_and_no_line_without_verbose(monkeypatch):
    assert _fit_in_a_terminal(monkeypatch, 0) == ""


def test_verbose_draws_the_epoch_bar_in_a_terminal(monkeypatch):
    err = _fit_in_a_terminal(monkeypatch, 2)
    assert "epochs:" in err and "/4 " in err  # the bar, cleared when done
    assert "Epoch 4, Loss:" in err


def test_verbose_into_a_pipe_prints_lines_only(capsys):
    _fit(2)  # captured stderr is not a terminal: no bar
    err = capsys.readouterr().err
    assert err.startswith("Epoch 2, Loss:") and "epochs" not in err


def test_verbose_draws_the_bar_in_a_notebook(monkeypatch):
    """Jupyter's stderr is no terminal; tqdm.auto draws a widget there instead."""
    from logitlab import _console

    monkeypatch.setattr(_console, "in_notebook", lambda: True)
    pipe = io.StringIO()  # not a terminal
    monkeypatch.setattr(sys, "stderr", pipe)
    _fit(2)
    assert "epochs:" in pipe.getvalue()
