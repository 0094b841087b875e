"""Read a model file as untrusted input: every field checked, under a time limit.

A model file may come from anyone (an instructor grading students' files), so each
dataset and attribute is checked against the schema `persistence.save_model` writes
— type, shape, range, finiteness — and a violation is one `ModelFileError` naming the
file and the field. HDF5 is a C library reading arbitrary bytes: a damaged file can
raise any exception from h5py, crash the reader or, for some attribute layouts, loop
forever in C where Ctrl-C cannot reach. So `read_record` reads in a child process
(`python -m logitlab._model_file PATH`) with a time limit and a memory limit, and any
way the child fails becomes that one line. The module imports only NumPy and h5py,
so the child starts in ~0.3 s. (multiprocessing's forkserver took ~30 ms a file but
re-runs the caller's main script in every child, and plain fork is unsafe once the
kernels' threads run; a reader that must never hang is worth the 0.3 s.)
"""

from __future__ import annotations

import json
import math
import os
import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from numpy.typing import NDArray

from logitlab.errors import ModelFileError

MODEL_NAMES = ("LogisticRegressionGD", "SoftmaxRegressionGD")
DATASETS = ("mnist", "fashion-mnist")  # logitlab.data's, without importing it
READ_SECONDS = 20.0  # a real file reads in milliseconds; this is a damaged one
MAX_WEIGHTS = 10_000_000  # elements of W: far above 784 × 10
MAX_TEXT = 1_000_000  # characters of a text attribute
_MEMORY_HEADROOM = 2 << 30  # bytes the reader may add to what it has mapped


@dataclass
class ModelRecord:
    """What a valid model file says, in plain checked values."""

    model: str
    coef: NDArray[np.floating]  # (n_classes or 1, n_features)
    intercept: NDArray[np.floating]  # (n_classes or 1,)
    classes: list[Any]
    hyperparameters: dict[str, Any]
    pixel_scale: float
    mean: NDArray[np.float64] | None
    scale: NDArray[np.float64] | None
    n_iter: int
    digits: list[int] | None
    dataset: str | None
    version: str | None


def read_record(path: str, seconds: float | None = READ_SECONDS) -> ModelRecord:
    """Read and check `path` in a child process; ModelFileError on anything wrong.

    `seconds=None` reads in this process instead, with the same checks but no time
    limit: for files the caller trusts, ~1 ms instead of the child's ~0.4 s.
    """
    if seconds is None or not sys.executable:  # (embedded Python: no interpreter)
        return parse_file(path)
    package_root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, env.get("PYTHONPATH")) if p
    )
    try:
        child = subprocess.run(
            [sys.executable, "-m", __name__, path],
            capture_output=True,
            timeout=seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the reader
        raise ModelFileError(
            f"{path}: reading it took more than {seconds:g} s (a damaged file?)"
        ) from None
    try:
        ok, payload = pickle.loads(child.stdout)  # written by _child_main below
    except Exception:
        said = child.stderr.decode("utf-8", "replace").strip().splitlines()
        last = f": {said[-1][:200]}" if said else ""
        raise ModelFileError(
            f"{path}: the HDF5 library failed on it (reader exit code "
            f"{child.returncode}{last}); a damaged file?"
        ) from None
    if not ok:
        raise ModelFileError(payload)
    return payload


def _child_main(path: str) -> None:
    """The reader process: pickles (True, record) or (False, the one-line message)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what stops
    _limit_memory()
    try:
        reply: tuple[bool, Any] = (True, parse_file(path))
    except ModelFileError as exc:
        reply = (False, str(exc))
    except BaseException as exc:  # MemoryError, RecursionError, ...
        reply = (False, f"{path}: unreadable model file ({_describe(exc)})")
    sys.stdout.buffer.write(pickle.dumps(reply))


def _limit_memory() -> None:
    """Cap the reader's address space: a file declaring huge data fails, not swaps."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = mapped + _MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: the time limit still holds


def parse_file(path: str) -> ModelRecord:
    """Read and check `path` in this process (no time limit: see `read_record`)."""
    try:
        if not h5py.is_hdf5(path):
            raise ModelFileError(f"{path}: not an HDF5 model file")
        with h5py.File(path, "r", locking=False) as f:
            return _parse(f, path)
    except ModelFileError:
        raise
    except Exception as exc:  # h5py raises every kind on damaged bytes
        raise ModelFileError(
            f"{path}: unreadable model file ({_describe(exc)})"
        ) from None


def _describe(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__


class _Fields:
    """Typed access to one file's attributes and datasets; errors name the field."""

    def __init__(self, f: h5py.File, path: str) -> None:
        self.f, self.path = f, path

    def fail(self, key: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.path}: {key!r} {problem}")

    def has(self, key: str) -> bool:
        return key in self.f.attrs

    def raw(self, key: str) -> Any:
        try:
            return self.f.attrs[key]
        except Exception as exc:
            raise self.fail(key, f"cannot be read ({_describe(exc)})") from None

    def text(self, key: str, default: str | None = None) -> str | None:
        if not self.has(key):
            return default
        value = self.raw(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "surrogateescape")
        if not isinstance(value, str):
            raise self.fail(key, f"should be text, not {_kind(value)}")
        try:  # h5py keeps undecodable bytes as lone surrogates
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(key, "is not UTF-8 text") from None
        if len(value) > MAX_TEXT:
            raise self.fail(key, f"is longer than {MAX_TEXT:,} characters")
        return str(value)

    def json(self, key: str, default: Any) -> Any:
        text = self.text(key)
        if text is None:
            return default
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise self.fail(key, "is not valid JSON") from None

    def number(self, key: str, default: float, integer: bool = False) -> float:
        if not self.has(key):
            return default
        value = self.raw(key)
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, kinds):
            what = "an integer" if integer else "a number"
            raise self.fail(key, f"should be {what}, not {_kind(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(key, f"is {number}, not a finite number")
        return int(value) if integer else number

    def array(self, key: str, *ndims: int) -> NDArray[np.floating] | None:
        """A finite float dataset of `ndims` dimensions, sized before it is read."""
        if key not in self.f:
            return None
        try:
            node = self.f[key]
        except Exception as exc:
            raise self.fail(key, f"cannot be read ({_describe(exc)})") from None
        if not isinstance(node, h5py.Dataset):
            raise self.fail(key, "should be a dataset, not a group")
        shape, dtype = node.shape, node.dtype
        if shape is None or len(shape) not in ndims:
            raise self.fail(
                key, f"should have {ndims[0]} dimension(s), not shape {shape}"
            )
        if dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise self.fail(key, f"should hold float32 or float64, holds {dtype}")
        if math.prod(shape) > MAX_WEIGHTS:
            raise self.fail(
                key, f"has {math.prod(shape):,} values, over {MAX_WEIGHTS:,}"
            )
        try:
            value = np.asarray(node[()])
        except Exception as exc:
            raise self.fail(key, f"cannot be read ({_describe(exc)})") from None
        if value.shape != shape or not np.all(np.isfinite(value)):
            raise self.fail(key, "contains NaN or infinity")
        return value


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    return type(value).__name__


def _parse(f: h5py.File, path: str) -> ModelRecord:
    fields = _Fields(f, path)
    guess = MODEL_NAMES[1] if "W" in f else MODEL_NAMES[0]
    name = fields.text("model", guess)
    if name not in MODEL_NAMES:
        raise fields.fail("model", f"is {name!r}, not one of {', '.join(MODEL_NAMES)}")
    coef, intercept = _weights(fields, name)
    n_classes = max(2, coef.shape[0])
    mean, scale = _scaler(fields, coef.shape[1])
    pixel_scale = fields.number("pixel_scale", 1 / 255)
    if pixel_scale <= 0:
        raise fields.fail("pixel_scale", f"is {pixel_scale}; it must be positive")
    n_iter = int(fields.number("n_iter", 0, integer=True))
    if n_iter < 0:
        raise fields.fail("n_iter", f"is {n_iter}; it must be 0 or more")
    dataset = fields.text("dataset", "") or None
    if dataset is not None and dataset not in DATASETS:
        raise fields.fail(
            "dataset", f"is {dataset!r}, not one of {', '.join(DATASETS)}"
        )
    hyperparameters = fields.json("hyperparameters", {})
    if not isinstance(hyperparameters, dict):
        raise fields.fail("hyperparameters", "should be a JSON object {name: value}")
    version = fields.text("logitlab_version")
    if version is not None and len(version) > 100:
        raise fields.fail("logitlab_version", "is longer than 100 characters")
    record = ModelRecord(
        name, coef, intercept, _classes(fields, n_classes), hyperparameters,
        pixel_scale, mean, scale, n_iter, _digits(fields, n_classes), dataset, version,
    )  # fmt: skip
    _check_logits_finite(fields, record)
    return record


def _weights(
    fields: _Fields, name: str
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """coef (n_classes or 1, n_features) and intercept, in the estimator's layout."""
    binary = name == MODEL_NAMES[0]
    key = "w" if binary else "W"
    W = fields.array(key, 1) if binary else fields.array(key, 2)
    b = fields.array("b", 0, 1) if binary else fields.array("b", 1)
    for k, value in ((key, W), ("b", b)):
        if value is None:
            raise fields.fail(k, f"is missing: a {name} file holds {key} and b")
    assert W is not None and b is not None
    if W.size == 0:
        raise fields.fail(key, f"has shape {W.shape}: no weights")
    if binary:
        if b.size != 1:
            raise fields.fail("b", f"should be one number, has shape {b.shape}")
        return W.reshape(1, -1), b.reshape(1).astype(W.dtype)
    if W.shape[1] < 2 or b.shape != (W.shape[1],):
        raise fields.fail(
            "b", f"has shape {b.shape}; W {W.shape} needs ({W.shape[1]},), 2+ classes"
        )
    return np.ascontiguousarray(W.T), b.astype(W.dtype)


def _scaler(
    fields: _Fields, n_features: int
) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]:
    mean = fields.array("scaler_mean", 1)
    scale = fields.array("scaler_scale", 1)
    for key, arr in (("scaler_mean", mean), ("scaler_scale", scale)):
        if arr is not None and arr.shape != (n_features,):
            raise fields.fail(key, f"has shape {arr.shape}, expected ({n_features},)")
    if scale is not None and not np.all(scale > 0):
        raise fields.fail("scaler_scale", "has values <= 0; scales must be positive")
    return (
        None if mean is None else mean.astype(np.float64),
        None if scale is None else scale.astype(np.float64),
    )


def _classes(fields: _Fields, n_classes: int) -> list[Any]:
    classes = fields.json("classes", list(range(n_classes)))
    if not isinstance(classes, list) or len(classes) != n_classes:
        raise fields.fail("classes", f"should be a list of {n_classes} labels")
    ints = all(isinstance(c, int) and not isinstance(c, bool) for c in classes)
    if not (ints or all(isinstance(c, str) for c in classes)):
        raise fields.fail("classes", "should be all integers or all text")
    if len(set(classes)) != n_classes:
        raise fields.fail("classes", f"has repeated labels: {classes}")
    return classes


def _digits(fields: _Fields, n_classes: int) -> list[int] | None:
    digits = fields.json("digits", None)
    if digits is None:
        return None
    sizes = (1, 2) if n_classes == 2 else (n_classes,)
    if not isinstance(digits, list) or len(digits) not in sizes:
        raise fields.fail(
            "digits", f"should be a list of {' or '.join(map(str, sizes))}"
        )
    for d in digits:
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 9:
            raise fields.fail("digits", f"holds {d!r}; digits are integers 0 to 9")
    if len(set(digits)) != len(digits):
        raise fields.fail("digits", f"repeats a digit: {digits}")
    return digits


def _check_logits_finite(fields: _Fields, r: ModelRecord) -> None:
    """Refuse weights whose logits overflow on some image of 0..255 pixels."""
    with np.errstate(all="ignore"):
        mean = 0.0 if r.mean is None else r.mean
        scale = 1.0 if r.scale is None else r.scale
        top = 255.0 * r.pixel_scale
        x_max = np.maximum(np.abs(0.0 - mean), np.abs(top - mean)) / scale
        x_max = np.broadcast_to(x_max, (r.coef.shape[1],))
        coef = np.abs(r.coef.astype(np.float64))
        bound = coef @ x_max + np.abs(r.intercept.astype(np.float64))
    if not np.all(np.isfinite(bound)) or bound.max() > 1e300:
        key = "w" if r.model == MODEL_NAMES[0] else "W"
        raise fields.fail(key, "is too large: logits of 0..255 pixels overflow")


if __name__ == "__main__":  # the records must pickle as logitlab._model_file's
    from logitlab._model_file import _child_main as child_main

    child_main(sys.argv[1])
