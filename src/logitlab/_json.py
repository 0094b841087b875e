"""Values for the JSON files a person or another program reads (metrics, results)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def plain(x: Any) -> Any:
    """Strict JSON values: NumPy scalars and arrays to Python, NaN and ±inf to null.

    `json.dumps` would write NaN as a bare `NaN` token, which strict parsers refuse.
    """
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
