"""Types of the compiled kernel (_fused.c); `logitlab.backends.kernels` calls it."""

from collections.abc import Sequence
from typing import Any

from numpy.typing import NDArray

Buffer = NDArray[Any]  # any C-contiguous array of the documented dtype

def softmax_epoch(
    blocks: Sequence[tuple[Buffer, ...]],
    W: Buffer,
    z0: Buffer,
    k: int,
    kp: int,
    inv_n: float,
    backward: bool,
    itemsize: int,
    n_threads: int,
    /,
) -> tuple[float, int]: ...
def binary_epoch(
    blocks: Sequence[tuple[Buffer, ...]],
    w: Buffer,
    z0: float,
    inv_n: float,
    backward: bool,
    itemsize: int,
    n_threads: int,
    /,
) -> tuple[float, float, int]: ...
def csr_fill(
    X: Buffer,
    m: Buffer,
    indptr: Buffer,
    indices: Buffer,
    data: Buffer,
    itemsize: int,
    /,
) -> int: ...
def encode_windows(
    indptr: Buffer, indices: Buffer, data: Buffer, m: Buffer, itemsize: int, /
) -> tuple[
    bytearray, bytearray, bytearray, bytearray, bytearray, bytearray, bytearray
]: ...
