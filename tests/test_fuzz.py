"""Seeded mutations of a real IDX file, a real model.h5 and a real PNG.

Every case must end in logitlab's own error (`LogitlabError`) or a valid result —
never another exception, never a hang. The cases run in a child process (this file
run as a script) that reports each case as it starts and ends; the test is the
watchdog: a case silent for `WATCHDOG` seconds is killed, reported, and the run
resumes after it. For model files, a case that hangs the in-process parser must end
in `ModelFileError` through `load_model`, whose reader has its own time limit.

`pytest --fuzz-cases N` sets the cases per class (default small, for CI);
`pytest tests/test_fuzz.py --fuzz-cases 3000 -s` prints the tallies of a long run.
"""

from __future__ import annotations

import gzip
import io
import queue
import subprocess
import sys
import threading
import time
import warnings
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

WATCHDOG = 20.0  # seconds without a report from the child: the case hangs
STARTUP = 300.0  # seconds for the child's imports
HOT_BYTES = {"idx": 16, "png": 128, "h5": 4096, "selftest": 1}  # where the headers live


def mutate(data: bytes, rng: np.random.Generator, hot: int) -> bytes:
    """1–4 edits — bit flips, magic values, 32-bit sizes, cuts, inserts, truncation —
    mostly within the first `hot` bytes, where the structure is."""
    b = bytearray(data)
    for _ in range(rng.integers(1, 5)):
        span = min(len(b), hot) if rng.random() < 0.7 else len(b)
        if span == 0:
            break
        pos = int(rng.integers(0, span))
        op = rng.integers(0, 6)
        if op == 0:
            b[pos] ^= 1 << int(rng.integers(0, 8))
        elif op == 1:
            b[pos] = int(rng.choice([0x00, 0x01, 0x7F, 0x80, 0xFF]))
        elif op == 2:
            value = int(
                rng.choice([0, 1, 2**31 - 1, 2**32 - 1, int(rng.integers(2**32))])
            )
            b[pos : pos + 4] = value.to_bytes(4, str(rng.choice(["big", "little"])))
        elif op == 3:
            del b[pos : pos + int(rng.integers(1, 16))]
        elif op == 4:
            b[pos:pos] = rng.bytes(int(rng.integers(1, 16)))
        elif rng.random() < 0.3:
            del b[pos:]
    return bytes(b)


def repair_png_crcs(data: bytes) -> bytes:
    """Recompute every chunk's CRC, so mutations reach the decoder, not the checksum."""
    b = bytearray(data)
    pos = 8
    while pos + 12 <= len(b):
        length = int.from_bytes(b[pos : pos + 4], "big")
        end = pos + 8 + length
        if end + 4 > len(b):
            break
        b[end : end + 4] = zlib.crc32(b[pos + 4 : end]).to_bytes(4, "big")
        pos = end + 4
    return bytes(b)


# ---- the child: run cases, report each on stdout --------------------------------


def _check(kind: str, path: Path, digits: np.ndarray) -> str:
    """Run one case; 'ok' for a valid result (checked), else raise."""
    if kind == "idx":
        from logitlab.data.idx import read_idx

        array = read_idx(path)
        assert array.dtype == np.uint8 and array.ndim in (1, 3)
    elif kind == "png":
        from logitlab.data.digit_images import load_digit_image

        image = load_digit_image(path)
        assert image.shape == (28, 28) and image.dtype == np.uint8
    else:
        from logitlab._model_file import parse_file
        from logitlab.persistence import _estimator

        est = _estimator(parse_file(str(path)), str(path))
        if est.n_features_in_ == digits.shape[1]:
            proba = est.predict_proba(est.preprocessing_.transform(digits))
            assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1)
    return "ok"


def _case_bytes(kind: str, data: bytes, case: int) -> bytes:
    """Case `case` of `kind`: the same bytes on every run (seeded by the case)."""
    rng = np.random.default_rng([case, len(kind)])
    mutated = mutate(data, rng, HOT_BYTES[kind])
    if kind == "png" and case % 2:  # half with valid CRCs: into Pillow's decoders
        mutated = repair_png_crcs(mutated)
    return mutated


def _selftest(case: int) -> str:
    """For the watchdog's own test: case 2 hangs, case 4 raises a foreign error."""
    if case == 2:
        time.sleep(3600)
    if case == 4:
        raise KeyError("not ours")
    return "ok"


def _child(kind: str, seed_file: str, start: int, stop: int, workdir: str) -> None:
    import logitlab.data.digit_images
    import logitlab.data.idx
    import logitlab.persistence  # noqa: F401  (imports before the first case's clock)
    from logitlab.errors import LogitlabError

    warnings.simplefilter("error")  # a leaked warning is a failure too
    data = Path(seed_file).read_bytes()
    digits = np.load(Path(workdir) / "digits.npy")
    path = Path(workdir) / f"case.{kind}"
    print(f"R {start}", flush=True)  # ready: from here each case has WATCHDOG seconds
    for case in range(start, stop):
        path.write_bytes(_case_bytes(kind, data, case))
        print(f"S {case}", flush=True)
        try:
            if kind == "selftest":
                outcome = _selftest(case)
            else:
                outcome = _check(kind, path, digits)
        except LogitlabError:
            outcome = "error"
        except BaseException as exc:  # what the test is looking for
            outcome = f"other {type(exc).__name__}: {str(exc)[:200]!r}"
        print(f"E {case} {outcome}", flush=True)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])


# ---- the test: the watchdog ------------------------------------------------------


def _forward(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def _run_cases(kind, seed_file, n, workdir):
    """{case: outcome} for cases 0..n-1; 'hang' for a case the watchdog killed."""
    outcomes: dict[int, str] = {}
    start = 0
    while start < n:
        cmd = [sys.executable, __file__, kind, str(seed_file), str(start), str(n)]
        proc = subprocess.Popen([*cmd, str(workdir)], stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_forward, args=(proc.stdout, lines))
        reader.start()
        current = start
        try:
            ready = lines.get(timeout=STARTUP)  # imports are slow on a busy machine
            while ready is not None:
                line = lines.get(timeout=WATCHDOG)
                if line is None:
                    break
                tag, number, *rest = line.split(" ", 2)
                current = int(number)
                if tag == "E":
                    outcomes[current] = rest[0].strip()
        except queue.Empty:
            outcomes[current] = "hang"
        finally:
            proc.kill()
            proc.wait()
            reader.join()
            proc.stdout.close()
        missing = [c for c in range(start, n) if c not in outcomes]
        if missing and missing[0] == current and current not in outcomes:
            outcomes[current] = f"crash (exit {proc.returncode})"
        start = max(outcomes) + 1 if outcomes else n
    return outcomes


@pytest.fixture(scope="module")
def seeds(tmp_path_factory, mnist):
    """The real files: MNIST's test labels as IDX, a trained model, a digit PNG."""
    from PIL import Image

    from logitlab.data.tasks import make_task, standardize
    from logitlab.estimators import SoftmaxRegressionGD
    from logitlab.persistence import Preprocessing, save_model

    folder = tmp_path_factory.mktemp("seeds")
    labels = np.asarray(mnist.test_labels[:300])
    idx = b"\0\0\x08\x01" + len(labels).to_bytes(4, "big") + labels.tobytes()
    (folder / "labels.idx").write_bytes(idx)
    (folder / "labels.idx.gz").write_bytes(gzip.compress(idx, mtime=0))
    task = make_task(mnist, "multiclass", n_train=2000, n_test=100)
    scaler, X_train, _ = standardize(task.X_train, task.X_test)
    model = SoftmaxRegressionGD(max_iter=5).fit(X_train, task.y_train)
    save_model(model, folder / "model.h5", dataset="mnist", digits=range(10),
               preprocessing=Preprocessing.from_scaler(scaler))  # fmt: skip
    digit = Image.fromarray(255 - np.asarray(mnist.test_images[0])).resize((112, 112))
    buffer = io.BytesIO()
    digit.save(buffer, format="PNG")
    (folder / "digit.png").write_bytes(buffer.getvalue())
    np.save(folder / "digits.npy", np.asarray(mnist.test_images[:5]).reshape(5, -1))
    return folder


@pytest.mark.parametrize(
    ("kind", "seed_name"),
    [
        ("idx", "labels.idx"),
        ("idx", "labels.idx.gz"),
        ("png", "digit.png"),
        ("h5", "model.h5"),
    ],
)
def test_mutations_end_in_our_error_or_a_valid_result(
    seeds, tmp_path, request, kind, seed_name
):
    from logitlab.errors import ModelFileError
    from logitlab.persistence import load_model

    n = request.config.getoption("--fuzz-cases")
    (tmp_path / "digits.npy").write_bytes((seeds / "digits.npy").read_bytes())
    outcomes = _run_cases(kind, seeds / seed_name, n, tmp_path)
    for case, outcome in outcomes.items():
        if outcome == "hang" and kind == "h5":  # the reader's time limit must end it
            path = tmp_path / "hung.h5"
            data = (seeds / seed_name).read_bytes()
            path.write_bytes(_case_bytes(kind, data, case))
            with pytest.raises(ModelFileError, match="took more than"):
                load_model(path, seconds=5)
            outcomes[case] = "error (time limit)"
    tally = Counter(o.split(":")[0] for o in outcomes.values())
    print(f"\nfuzz {seed_name}: {n} cases, {dict(tally)}")
    bad = {c: o for c, o in outcomes.items() if not o.startswith(("ok", "error"))}
    assert len(outcomes) == n
    assert bad == {}, f"{len(bad)} of {n} cases: {dict(list(bad.items())[:10])}"


def test_the_watchdog_reports_a_hang_and_a_foreign_error_and_goes_on(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(globals(), "WATCHDOG", 3.0)  # quicker for this test
    seed = tmp_path / "seed"
    seed.write_bytes(b"anything")
    np.save(tmp_path / "digits.npy", np.zeros((1, 1)))
    outcomes = _run_cases("selftest", seed, 6, tmp_path)
    assert outcomes[2] == "hang"
    assert outcomes[4].startswith("other KeyError")
    assert [outcomes[c] for c in (0, 1, 3, 5)] == ["ok"] * 4
