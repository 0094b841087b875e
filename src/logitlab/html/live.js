/* The model, live: draw a digit and watch a linear model decide.

   The model and the preprocessing constants come from the JSON in
   <script id="logitlab-model"> (written by logitlab.html.live). The drawing is brought
   to MNIST's format exactly as `logitlab predict` brings an image file
   (logitlab.data.digit_images.to_mnist_format: background from the border, ink
   stretched to 255, its bounding box resized with Pillow's Lanczos filter to fit 20×20,
   centre of mass moved to pixel 14), then scaled as the model file says and fed to the
   model. The state after each update is in `window.logitlab` (input, proba, predicted).
*/
(function () {
  "use strict";
  const spec = JSON.parse(document.getElementById("logitlab-model").textContent);
  const P = spec.prep;
  const N = P.size;
  const pad = document.getElementById("pad");
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  const state = { input: null, proba: null, predicted: null, label: null, updates: 0 };
  window.logitlab = state;

  /* ---- MNIST format (a transcription of to_mnist_format) ---- */

  function median(values) {
    const s = Float64Array.from(values).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  function roundHalfEven(x) {  // Python's round() and NumPy's rint
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  function lanczos(x) {
    const sinc = (t) => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
    return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
  }

  // Pillow's resampling weights for one axis (precompute_coeffs in Resample.c).
  function weights(inSize, outSize) {
    const scale = inSize / outSize, filterScale = Math.max(scale, 1);
    const support = 3 * filterScale;
    const rows = [];
    for (let xx = 0; xx < outSize; xx++) {
      const centre = (xx + 0.5) * scale;
      const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
      const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
      const k = [];
      let total = 0;
      for (let x = lo; x < hi; x++) {
        const w = lanczos((x - centre + 0.5) / filterScale);
        k.push(w);
        total += w;
      }
      rows.push({ lo: lo, k: total !== 0 ? k.map((w) => w / total) : k });
    }
    return rows;
  }

  // Pillow's Image.resize(LANCZOS) of a float32 image: horizontal pass, then vertical.
  function resize(src, w, h, outW, outH) {
    let img = src, width = w;
    if (outW !== w) {
      const kx = weights(w, outW);
      img = new Float32Array(outW * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < outW; x++) {
          let s = 0;
          kx[x].k.forEach((c, i) => { s += src[y * w + kx[x].lo + i] * c; });
          img[y * outW + x] = s;
        }
      }
      width = outW;
    }
    if (outH === h) return img;
    const ky = weights(h, outH), out = new Float32Array(width * outH);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        ky[y].k.forEach((c, i) => { s += img[(ky[y].lo + i) * width + x] * c; });
        out[y * width + x] = s;
      }
    }
    return out;
  }

  // grey: Float64Array of w*h grey levels (0 black, 255 white). Returns 784 uint8 or null.
  function toMnistFormat(grey, w, h) {
    let a = Float64Array.from(grey);
    let border = [];
    for (let x = 0; x < w; x++) border.push(a[x]);
    for (let x = 0; x < w; x++) border.push(a[(h - 1) * w + x]);
    for (let y = 0; y < h; y++) border.push(a[y * w]);
    for (let y = 0; y < h; y++) border.push(a[y * w + w - 1]);
    if (median(border) > 127.5) {  // dark ink on light paper
      a = a.map((v) => 255 - v);
      border = border.map((v) => 255 - v);
    }
    const level = median(border);
    const noise = P.mad_to_std * median(border.map((v) => Math.abs(v - level)));
    const cut = level + P.noise_sigmas * noise;
    let peak = 0;
    for (let i = 0; i < a.length; i++) {
      a[i] = Math.max(a[i] - cut, 0);
      peak = Math.max(peak, a[i]);
    }
    if (peak <= 0) return null;  // blank
    const stretch = 255 / peak;
    let top = h, bottom = -1, left = w, right = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = (a[y * w + x] *= stretch);
        if (v > P.ink * 255) {
          top = Math.min(top, y); bottom = Math.max(bottom, y);
          left = Math.min(left, x); right = Math.max(right, x);
        }
      }
    }
    const bh = bottom - top + 1, bw = right - left + 1;
    const crop = new Float32Array(bw * bh);
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) crop[y * bw + x] = a[(top + y) * w + left + x];
    }
    const factor = P.box / Math.max(bh, bw);
    const outW = Math.max(1, roundHalfEven(bw * factor));
    const outH = Math.max(1, roundHalfEven(bh * factor));
    const box = resize(crop, bw, bh, outW, outH).map((v) => Math.min(Math.max(v, 0), 255));
    let mass = 0, my = 0, mx = 0;
    box.forEach((v, i) => { mass += v; my += v * Math.floor(i / outW); mx += v * (i % outW); });
    const row0 = Math.min(Math.max(roundHalfEven(P.centre - my / mass), 0), N - outH);
    const col0 = Math.min(Math.max(roundHalfEven(P.centre - mx / mass), 0), N - outW);
    const field = new Uint8Array(N * N);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        field[(row0 + y) * N + col0 + x] = roundHalfEven(box[y * outW + x]);
      }
    }
    return field;
  }

  // The canvas as grey levels, as Pillow's convert("L") computes them (ITU-R 601-2).
  function padGrey() {
    const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
    const grey = new Float64Array(pad.width * pad.height);
    for (let i = 0; i < grey.length; i++) {
      const r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
      grey[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
    return grey;
  }

  /* ---- the model ---- */

  function features(pixels) {  // X = (pixels · pixel_scale - mean) / scale
    return Array.from(pixels, (p, j) => {
      let x = p * P.pixel_scale;
      if (P.mean) x -= P.mean[j];
      if (P.scale) x /= P.scale[j];
      return x;
    });
  }

  function probabilities(logits) {
    if (spec.binary) {
      const p = 1 / (1 + Math.exp(-logits[0]));
      return [1 - p, p];
    }
    const top = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - top));
    const sum = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / sum);
  }

  /* ---- drawing the pictures ---- */

  function paint(canvas, values, colour) {
    const c = canvas.getContext("2d");
    const image = c.createImageData(N, N);
    values.forEach((v, i) => image.data.set([...colour(v), 255], 4 * i));
    c.putImageData(image, 0, 0);
  }

  // Diverging scale: blue (negative) - white (0) - red (positive), v in [-1, 1].
  function redBlue(v) {
    const t = Math.round(255 * (1 - Math.min(Math.abs(v), 1)));
    return v >= 0 ? [255, t, t] : [t, t, 255];
  }

  function maxAbs(values) {
    return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  }

  const maps = spec.weights.map((w, k) => {
    const card = document.getElementById("map-" + k);
    const limit = maxAbs(w);
    paint(card.querySelector("canvas.weights"), w, (v) => redBlue(v / limit));
    return { card: card, contribution: card.querySelector("canvas.contribution"),
             logit: card.querySelector(".logit") };
  });

  const bars = spec.classes.map((_, k) => document.getElementById("proba-" + k));

  /* ---- one update: pixels -> model -> everything shown ---- */

  function show(pixels, sampleLabel) {
    const seen = document.getElementById("seen");
    const prediction = document.getElementById("prediction");
    document.getElementById("sample-label").textContent =
      sampleLabel === undefined ? "" : "Test digit, true class: " + sampleLabel;
    state.updates += 1;
    if (pixels === null) {
      paint(seen, new Array(N * N).fill(0), () => [255, 255, 255]);
      Object.assign(state, { input: null, proba: null, predicted: null, label: null });
      prediction.textContent = "Draw a digit in the box.";
      bars.forEach((li) => {
        li.querySelector(".bar span").style.width = "0";
        li.querySelector(".value").textContent = "";
      });
      return;
    }
    const x = features(pixels);
    const contributions = spec.weights.map((w) => w.map((wj, j) => wj * x[j]));
    const logits = contributions.map((c, k) => c.reduce((s, v) => s + v, spec.bias[k]));
    const proba = probabilities(logits);
    const best = proba.indexOf(Math.max(...proba));
    Object.assign(state, { input: Array.from(pixels), proba: proba, predicted: best,
                           label: spec.classes[best] });
    paint(seen, pixels, (v) => [255 - v, 255 - v, 255 - v]);
    const limit = Math.max(...contributions.map(maxAbs));
    maps.forEach((m, k) => {
      paint(m.contribution, contributions[k], (v) => redBlue(v / limit));
      m.logit.textContent = "z = " + logits[k].toFixed(2);
      m.card.classList.toggle("best", spec.binary || k === best);
    });
    bars.forEach((li, k) => {
      li.querySelector(".bar span").style.width = (100 * proba[k]).toFixed(1) + "%";
      li.querySelector(".value").textContent = proba[k].toFixed(4);
      li.classList.toggle("best", k === best);
    });
    prediction.textContent = "The model says: " + spec.classes[best] +
      " (probability " + proba[best].toFixed(4) + ")";
  }

  const update = () => show(toMnistFormat(padGrey(), pad.width, pad.height));

  /* ---- the drawing pad: pointer events cover mouse, pen and finger ---- */

  function clear() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, pad.width, pad.height);
  }

  function at(event) {
    const r = pad.getBoundingClientRect();
    return [(event.clientX - r.left) * pad.width / r.width,
            (event.clientY - r.top) * pad.height / r.height];
  }

  let last = null, pending = false;
  function strokeTo(next) {
    ctx.strokeStyle = ctx.fillStyle = "#000";
    ctx.lineWidth = spec.pen;
    ctx.beginPath();
    if (last === null) {  // a dot where the stroke starts
      ctx.arc(next[0], next[1], spec.pen / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(next[0], next[1]);
      ctx.stroke();
    }
    last = next;
    if (!pending) {  // at most one update per frame while the stroke is drawn
      pending = true;
      requestAnimationFrame(() => { pending = false; update(); });
    }
  }
  ctx.lineCap = ctx.lineJoin = "round";
  pad.addEventListener("pointerdown", (e) => {
    pad.setPointerCapture(e.pointerId);
    last = null;
    strokeTo(at(e));
  });
  pad.addEventListener("pointermove", (e) => { if (last !== null) strokeTo(at(e)); });
  const end = () => { if (last !== null) { last = null; update(); } };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  document.getElementById("clear").addEventListener("click", () => { clear(); update(); });

  document.getElementById("sample").addEventListener("click", () => {
    const s = spec.samples[Math.floor(Math.random() * spec.samples.length)];
    const pixels = Uint8Array.from(atob(s.pixels), (ch) => ch.charCodeAt(0));
    const cell = pad.width / N;
    clear();
    pixels.forEach((v, i) => {  // dark ink on white, as drawn
      ctx.fillStyle = "rgb(" + [255 - v, 255 - v, 255 - v] + ")";
      ctx.fillRect((i % N) * cell, Math.floor(i / N) * cell, cell, cell);
    });
    show(pixels, s.label);  // the test image itself is the model's input
  });
  document.getElementById("sample").disabled = spec.samples.length === 0;

  document.getElementById("download").addEventListener("click", () => {
    const link = document.createElement("a");
    link.href = pad.toDataURL("image/png");
    link.download = "digit.png";
    link.click();
  });

  clear();
  update();
})();
