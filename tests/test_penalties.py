"""Penalties: values, the split of alpha, the proximal (soft-threshold) step."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from logitlab.models.penalties import Penalty, make_penalty


def test_alpha_split_as_the_docstring_says():
    w = np.array([1.0, -2.0, 0.5])
    assert make_penalty("l2", 0.4).value(w) == pytest.approx(0.2 * 5.25)
    assert make_penalty("l1", 0.4).value(w) == pytest.approx(0.4 * 3.5)
    enet = make_penalty("elasticnet", 0.4, l1_ratio=0.25)
    assert enet.value(w) == pytest.approx(0.4 * (0.75 / 2 * 5.25 + 0.25 * 3.5))
    assert make_penalty(None, 0.4).value(w) == 0.0
    assert make_penalty("l2", 0.0).value(w) == 0.0


@pytest.mark.parametrize("v", [-2.0, -0.3, -0.05, 0.0, 0.04, 0.3, 2.0])
def test_prox_is_the_argmin_of_the_l1_subproblem(v):
    # prox_{η·l1|.|}(v) = argmin_x |x - v|²/(2η) + l1·|x|
    pen, eta = Penalty(l1=0.5), 0.2
    ours = pen.prox(np.array([v]), eta)[0]
    ref = minimize_scalar(
        lambda x: (x - v) ** 2 / (2 * eta) + 0.5 * abs(x),
        bounds=(-3, 3),
        method="bounded",
        options={"xatol": 1e-10},
    ).x
    assert ours == pytest.approx(ref, abs=1e-7)
    assert (ours == 0.0) == (abs(v) <= eta * 0.5)  # exact zeros inside the threshold


def test_subgradient_mode_keeps_l1_in_the_gradient_and_skips_the_prox():
    w = np.array([0.3, -0.2])
    sub = make_penalty("l1", 0.5, l1_method="subgradient")
    prox = make_penalty("l1", 0.5, l1_method="proximal")
    np.testing.assert_allclose(sub.step_gradient(w), 0.5 * np.sign(w))
    np.testing.assert_array_equal(sub.prox(w, 1.0), w)
    assert np.all(prox.step_gradient(w) == 0)
    np.testing.assert_allclose(prox.prox(w, 1.0), [0.0, 0.0])
    assert prox.smooth_value(w) == 0.0 and sub.smooth_value(w) == pytest.approx(0.25)


def test_prox_keeps_float32():
    w = np.array([0.3, -0.2], dtype=np.float32)
    assert make_penalty("elasticnet", 0.5).prox(w, 0.1).dtype == np.float32
    assert make_penalty("l2", 0.5).step_gradient(w).dtype == np.float32
