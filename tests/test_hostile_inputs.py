"""Inputs that used to block or blow up: FIFOs, decompression bombs, bad values."""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import zlib

import pytest
from click.testing import CliRunner

from logitlab.cli import app
from logitlab.data.digit_images import MAX_PIXELS, read_image
from logitlab.data.idx import read_idx
from logitlab.errors import DataError, ModelFileError
from logitlab.persistence import load_model


@contextlib.contextmanager
def fifo(path):
    """A FIFO with a writer that unblocks a wrongly blocked reader after 5 s.

    If the code under test opens the FIFO (the bug), the writer feeds it junk and the
    test fails on the message instead of hanging forever.
    """
    os.mkfifo(path)

    def writer():
        with contextlib.suppress(OSError), open(path, "wb") as f:
            f.write(b"junk")

    timer = threading.Timer(5.0, writer)
    timer.daemon = True
    timer.start()
    try:
        yield path
    finally:
        timer.cancel()
        with contextlib.suppress(OSError):  # let a writer already waiting finish
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))


def test_a_fifo_is_not_read_as_a_model(tmp_path):
    with fifo(tmp_path / "model.h5") as path:
        with pytest.raises(ModelFileError, match="is not a regular file"):
            load_model(path)


def test_a_fifo_is_not_read_as_an_image(tmp_path):
    with fifo(tmp_path / "digit.png") as path:
        with pytest.raises(DataError, match="is not a regular file"):
            read_image(path)


def test_a_fifo_is_not_read_as_an_idx_file(tmp_path):
    with fifo(tmp_path / "t10k-labels-idx1-ubyte") as path:
        with pytest.raises(DataError, match="is not a regular file"):
            read_idx(path)


def test_predict_on_a_fifo_is_one_line(tmp_path):
    with fifo(tmp_path / "some-fifo") as path:
        result = CliRunner().invoke(app, ["predict", str(path), str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"logitlab: error: {path}: is not a regular file (a FIFO, device or socket?)"
    )


def _png(width, height, rows):
    """A one-bit greyscale PNG whose IDAT inflates to `rows` (built by hand)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [12000, 14000])  # under/over 2× Pillow's own limit
def test_a_decompression_bomb_is_refused_from_its_header(tmp_path, side):
    """12000×12000 in 17 KB: refused before decoding (it took 3.5 GB)."""
    rows = (b"\0" + b"\0" * (side // 8)) * side  # filter byte + 1500 packed bytes
    path = tmp_path / "bomb.png"
    path.write_bytes(_png(side, side, rows))
    assert path.stat().st_size < 40_000
    with pytest.raises(DataError, match=r"bomb\.png: .*more than 50 megapixels"):
        read_image(path)


def test_an_image_just_under_the_limit_is_decoded(tmp_path):
    """The limit is the only thing refusing the bomb: a small image of it decodes."""
    side = 64
    rows = b"".join(b"\0" + bytes([0xFF if 20 < r < 40 else 0] * 8) for r in range(64))
    path = tmp_path / "bar.png"
    path.write_bytes(_png(side, side, rows))
    grey = read_image(path)
    assert grey.shape == (64, 64) and grey.max() == 255 and grey.min() == 0
    assert side * side < MAX_PIXELS


@pytest.mark.parametrize("command", ["train", "homework"])
def test_a_negative_seed_is_one_line(command, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [command, "--seed", "-1", "--out", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logitlab: error: "), lines
    assert "-1" in lines[0]
    assert not out.exists()


def test_a_read_only_model_is_refused_before_training(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.h5").write_bytes(b"the student's model")
    (out / "model.h5").chmod(0o444)
    result = CliRunner().invoke(app, ["train", "--epochs", "1", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"logitlab: error: {out / 'model.h5'}: is read-only; not replaced (make it "
        "writable or choose another --out)"
    )
    assert result.stdout == ""  # refused before any training
    assert (out / "model.h5").read_bytes() == b"the student's model"
    assert os.listdir(out) == ["model.h5"]
