"""A pickle reader that can rebuild NumPy arrays and nothing else.

Unpickling calls whatever the pickle names, so a downloaded pickle is read with an
allow-list: the globals NumPy's array pickles use (`numpy.core.multiarray._reconstruct`
— `numpy._core` since NumPy 2 —, `numpy.ndarray`, `numpy.dtype`). Any other global
(`os.system`, `builtins.eval`, ...) is refused before it is looked up.
"""

from __future__ import annotations

import pickle
from typing import IO, Any

import numpy as np

from logitlab.errors import DataError

# Taken from an array's own pickle recipe, so the deprecated `numpy.core` alias
# (which warns under NumPy 2) is never imported.
_reconstruct = np.empty(0).__reduce__()[0]


def _latin1_encode(text: str, encoding: str) -> bytes:
    """`_codecs.encode`, as Python 3 stores bytes at protocol 2; latin-1 only."""
    if encoding not in ("latin1", "latin-1"):
        raise DataError(f"pickle asks for codec {encoding!r}; refused")
    return text.encode("latin1")


_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise DataError(
                f"pickle refers to {module}.{name}, which is not a NumPy array "
                "global; refused"
            ) from None


def load_arrays_pickle(file: IO[bytes], name: str = "pickle") -> Any:
    """Unpickle from `file` admitting only NumPy array reconstruction.

    `encoding="latin1"` reads Python 2 pickles, whose array buffers are byte strings.
    """
    try:
        return _ArrayUnpickler(file, encoding="latin1").load()
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, OSError) as exc:
        raise DataError(f"{name}: unreadable pickle ({exc})") from None
