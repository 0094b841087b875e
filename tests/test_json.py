"""The JSON written for people and other programs is strict JSON."""

from __future__ import annotations

import json
import math

import numpy as np

from logitlab._json import plain


def test_numpy_and_non_finite_values_become_strict_json():
    value = {
        1: np.float32(0.5),
        "n": np.int64(3),
        "a": np.array([[1.0, np.nan]]),
        "t": (math.inf, -math.inf, 2),
    }
    text = json.dumps(plain(value), allow_nan=False)  # raises on NaN/inf
    assert json.loads(text) == {
        "1": 0.5,
        "n": 3,
        "a": [[1.0, None]],
        "t": [None, None, 2],
    }
