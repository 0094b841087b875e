"""The IDX reader on bytes built with struct.pack: good files, every way to be bad."""

from __future__ import annotations

import gzip
import struct
import tracemalloc

import numpy as np
import pytest

from logitlab.data.idx import parse_idx, read_idx
from logitlab.errors import DataError


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file as LeCun describes it: 0x0000TTNN, big-endian sizes, data."""
    header = struct.pack(">HBB", 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


IMAGES = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
LABELS = np.array([7, 0, 9], dtype=np.uint8)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("array", [IMAGES, LABELS], ids=["images", "labels"])
def test_reads_good_files(tmp_path, compress, array):
    data = idx_bytes(array)
    path = tmp_path / "x.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    got = read_idx(path, ndim=array.ndim)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, array)


def test_bad_magic_names_the_file():
    data = b"\x00\x00\x09\x99" + idx_bytes(LABELS)[4:]
    with pytest.raises(DataError, match=r"^labels\.idx: bad magic number 0x00000999"):
        parse_idx(data, name="labels.idx")


def test_wrong_type_code():
    data = idx_bytes(LABELS, type_code=0x0D)  # 0x0D is float32 in the IDX spec
    with pytest.raises(DataError, match="type code 0x0d, expected 0x08"):
        parse_idx(data)


def test_labels_where_images_were_expected():
    with pytest.raises(DataError, match="1-dimensional IDX data, expected 3"):
        parse_idx(idx_bytes(LABELS), ndim=3)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_truncated_data(compress):
    data = idx_bytes(IMAGES)[:-7]
    with pytest.raises(DataError, match=r"declares shape \(3, 4, 5\) \(60 bytes"):
        parse_idx(gzip.compress(data) if compress else data)


def test_truncated_header():
    with pytest.raises(DataError, match="truncated header"):
        parse_idx(idx_bytes(IMAGES)[:9])
    with pytest.raises(DataError, match="too short for an IDX header"):
        parse_idx(b"\x00\x00")


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_trailing_bytes(compress):
    data = idx_bytes(LABELS) + b"\x01\x02"
    with pytest.raises(DataError, match=r"holds 5|trailing bytes"):
        parse_idx(gzip.compress(data) if compress else data)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_oversized_header_fails_before_allocating(compress):
    """A ~100-byte file claiming 10¹² items fails at once, allocating almost nothing."""
    header = struct.pack(">HBB3I", 0, 0x08, 3, 10_000, 10_000, 10_000)
    data = header + bytes(84)
    data = gzip.compress(data) if compress else data
    assert len(data) < 200
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"\(1000000000000 bytes of data\)"):
            parse_idx(data, name="huge.idx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_gzip_claiming_more_than_it_holds_reads_no_further():
    """Within the gzip bound but absent: the reader stops at the real end of data."""
    header = struct.pack(">HBB3I", 0, 0x08, 3, 100, 10, 10)  # 10⁴ bytes declared
    noise = np.random.default_rng(0).integers(0, 256, 1000, dtype=np.uint8).tobytes()
    data = gzip.compress(header + noise)  # ~1 kB: deflate's bound allows ~1 MB
    with pytest.raises(DataError, match="only 1000 are present"):
        parse_idx(data)


def test_corrupt_gzip():
    data = bytearray(gzip.compress(idx_bytes(IMAGES)))
    data[12:20] = b"\xff" * 8
    with pytest.raises(DataError, match="corrupt gzip data"):
        parse_idx(bytes(data))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=r"nothere\.gz: no such IDX file"):
        read_idx(tmp_path / "nothere.gz")
