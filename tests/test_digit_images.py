"""Images of handwritten digits brought to MNIST's format, checked against MNIST."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from logitlab.data.digit_images import load_digit_image, read_image, to_mnist_format
from logitlab.errors import DataError

N = 200


@pytest.fixture(scope="module")
def digits(mnist):
    return np.asarray(mnist.test_images[:N])


def _ink_box(image):
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_mnist_digit_round_trips_almost_unchanged(digits):
    # MNIST digits are already in MNIST's format. Two things may move a little: the
    # contrast stretch of a digit whose brightest pixel is 254, and faint pixels under
    # 5% of the ink left out of the bounding box.
    out = np.stack([to_mnist_format(x) for x in digits])
    diff = np.abs(out.astype(int) - digits.astype(int))
    assert out.dtype == np.uint8 and out.shape == digits.shape
    assert np.mean(diff.max(axis=(1, 2)) == 0) >= 0.8
    assert diff.mean(axis=(1, 2)).max() / 255 < 0.002


def test_dark_on_light_is_inverted(digits):
    for x in digits[:20]:
        assert np.array_equal(to_mnist_format(255 - x), to_mnist_format(x))


def test_any_size_is_scaled_to_the_20_box_and_centred_by_mass():
    # A tall dark bar on light paper, far off-centre on a 300×200 canvas.
    canvas = np.full((300, 200), 230.0)
    canvas[40:200, 150:190] = 20.0  # 160 high, 40 wide
    out = to_mnist_format(canvas)
    h, w = _ink_box(out)
    assert (h, w) == (20, 5)
    cy, cx = ndimage.center_of_mass(out.astype(float))
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    assert out.max() == 255 and out[0, 0] == 0


def test_upscaled_digit_comes_back_close(digits):
    # A 100×100 antialiased enlargement, brought back down, matches the original
    # closely: mean grey level error under 8% of full scale on every digit.
    errors = []
    for x in digits[:50]:
        big = np.asarray(Image.fromarray(x).resize((100, 100), Image.BICUBIC))
        errors.append(np.abs(to_mnist_format(big).astype(float) - x).mean() / 255)
    assert max(errors) < 0.08 and np.mean(errors) < 0.05
    # and is not trivially close: a digit shifted by two pixels is much farther off
    shifted = np.abs(np.roll(digits[0], 2, axis=1).astype(float) - digits[0]).mean()
    assert shifted / 255 > np.mean(errors)


def test_png_and_jpeg_files(tmp_path, digits):
    x = digits[0]
    Image.fromarray(x).save(tmp_path / "d.png")
    assert np.array_equal(load_digit_image(tmp_path / "d.png"), to_mnist_format(x))
    Image.fromarray(255 - x).convert("RGB").resize((280, 280)).save(tmp_path / "d.jpg")
    jpeg = load_digit_image(tmp_path / "d.jpg")
    assert np.corrcoef(jpeg.ravel(), x.ravel())[0, 1] > 0.9


def test_black_ink_on_transparent_background(tmp_path, digits):
    x = digits[1]
    rgba = np.zeros((28, 28, 4), dtype=np.uint8)  # black ink ...
    rgba[..., 3] = x  # ... wherever the digit is, transparent elsewhere
    Image.fromarray(rgba).save(tmp_path / "ink.png")
    assert np.abs(load_digit_image(tmp_path / "ink.png").astype(int) - x).max() <= 1


def test_not_an_image_names_the_file(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("this is not a picture\n")
    with pytest.raises(DataError, match=r"notes\.png: not a readable image"):
        read_image(bad)


def test_truncated_png(tmp_path, digits):
    Image.fromarray(digits[0]).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"cut\.png"):
        load_digit_image(tmp_path / "cut.png")


def test_missing_and_blank_images(tmp_path):
    with pytest.raises(DataError, match=r"nothing\.png: no such image file"):
        read_image(tmp_path / "nothing.png")
    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    with pytest.raises(DataError, match=r"blank\.png: no digit found"):
        load_digit_image(tmp_path / "blank.png")
