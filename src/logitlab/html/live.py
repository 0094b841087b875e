"""The live model: the one place that writes a model and its preprocessing into a page.

`model_spec` turns a fitted model (a logitlab estimator, as `load_model` returns it or
a run holds it), its `Preprocessing` and a few test digits into the JSON that `live.js`
reads; `live_section` is the HTML around it (drawing pad, the 28×28 input, the
probabilities, weight and contribution images); `write_model_page` makes a page of it
alone (`logitlab page`).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab._atomic import atomic_path
from logitlab.data import digit_images
from logitlab.html.document import page_html, settings_html
from logitlab.persistence import Preprocessing

PAD_SIZE = 280  # the drawing canvas, pixels: ten per MNIST pixel
PEN_WIDTH = 18  # a stroke about two MNIST pixels wide once a digit is fitted to 20×20


def model_spec(
    estimator: Any,
    preprocessing: Preprocessing,
    class_names: Sequence[str],
    samples: NDArray[np.uint8] | None = None,
    sample_labels: Sequence[str] = (),
) -> dict[str, Any]:
    """What `live.js` needs: weights, bias, preprocessing constants, test digits.

    A binary model has one weight vector w (P(class 1) = σ(w·x + b)); a softmax model
    one per class. The floats are written in full (JSON keeps float64 exactly), so the
    page's probabilities are the Python model's.
    """
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    intercept = np.atleast_1d(np.asarray(estimator.intercept_, dtype=np.float64))
    binary = len(estimator.classes_) == 2 and coef.shape[0] == 1
    images = np.zeros((0, 28, 28), np.uint8) if samples is None else samples
    return {
        "binary": binary,
        "classes": list(class_names),
        "weights": coef.tolist(),
        "bias": intercept.tolist(),
        "prep": {
            "pixel_scale": float(preprocessing.pixel_scale),
            "mean": _floats(preprocessing.mean),
            "scale": _floats(preprocessing.scale),
            "size": digit_images.MNIST_SIZE,
            "box": digit_images.DIGIT_BOX,
            "centre": digit_images.CENTRE,
            "ink": digit_images.INK_FRACTION,
            "mad_to_std": digit_images.MAD_TO_STD,
            "noise_sigmas": digit_images.NOISE_SIGMAS,
        },
        "pen": PEN_WIDTH,
        "samples": [
            {"pixels": base64.b64encode(np.ascontiguousarray(im).tobytes()).decode(),
             "label": str(label)}
            for im, label in zip(images, sample_labels, strict=True)
        ],
    }  # fmt: skip


def _floats(values: NDArray[np.float64] | None) -> list[float] | None:
    return None if values is None else np.asarray(values, np.float64).tolist()


def live_section(spec: Mapping[str, Any]) -> str:
    """The live model's HTML, with its JSON in a script tag `live.js` reads."""
    classes = spec["classes"]
    bars = "".join(
        f'<li id="proba-{k}"><span>{escape(name)}</span><span class="bar"><span>'
        '</span></span><span class="value"></span></li>'
        for k, name in enumerate(classes)
    )
    if spec["binary"]:
        titles = [f"red: towards {classes[1]}, blue: towards {classes[0]}"]
    else:
        titles = [f"class {name}" for name in classes]
    maps = "".join(
        f'<div class="map" id="map-{k}"><div>{escape(t)}'
        '<span class="logit">z = –</span></div><div class="pair">'
        '<canvas class="pixels weights" width="28" '
        'height="28"></canvas><canvas class="pixels contribution" width="28" '
        'height="28"></canvas></div><div class="label"><span>weights</span>'
        "<span>w⊙x</span></div></div>"
        for k, t in enumerate(titles)
    )
    layout = "maps single" if spec["binary"] else "maps"
    data = json.dumps(spec, separators=(",", ":"), allow_nan=False).replace(
        "</", "<\\/"
    )
    return f"""<section id="live"><h2>The model, live</h2>
<p class="note">Draw a digit with the mouse or a finger. The drawing is brought to
MNIST's format as <code>logitlab predict</code> brings an image (ink cropped, fitted
into 20×20, centre of mass at the centre of 28×28), scaled as the model was trained,
and classified at every stroke. Red pixels of w⊙x push towards a class, blue ones
away from it; z is the class's logit Σ w⊙x + b.</p>
<div class="live-grid">
<div class="pad"><canvas class="pad" id="pad" width="{PAD_SIZE}" height="{PAD_SIZE}"
aria-label="Drawing pad"></canvas><div class="buttons">
<button id="clear" type="button">Clear</button>
<button id="sample" type="button">Random test digit</button>
<button id="download" type="button">Download PNG</button></div>
<p id="sample-label" class="note"></p></div>
<div class="seen"><h3>The model sees</h3>
<canvas class="pixels seen" id="seen" width="28" height="28"
aria-label="The 28×28 input of the model"></canvas></div>
<div class="decision"><h3>Probabilities</h3>
<p class="prediction" id="prediction" aria-live="polite"></p>
<ol class="proba">{bars}</ol></div>
</div>
<h3>Weights and contributions</h3><div class="{layout}">{maps}</div>
<script type="application/json" id="logitlab-model">{data}</script></section>"""


def write_model_page(
    path: str | os.PathLike[str],
    spec: Mapping[str, Any],
    *,
    title: str,
    about: Mapping[str, str],
) -> Path:
    """A page with only the live model and a few lines `about` it; atomic."""
    body = (
        f"<header><h1>{escape(title)}</h1></header><main>{live_section(spec)}"
        f"{settings_html(about, 'About the model', 'about')}</main>"
    )
    target = Path(path)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(
            page_html(title, body, scripts=["live.js"]), encoding="utf-8"
        )
    return target
