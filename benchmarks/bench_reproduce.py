"""Wall and CPU time of `logitlab reproduce` from an empty result cache, and whether
two trees give the same numbers.

Each run is a fresh process writing into a new folder (MNIST itself stays cached).
With `--compare SRC` the same command also runs from another checkout's `src/`, the
two alternating round by round (this tree first in odd rounds), and the numbers of
their results.json are compared leaf by leaf (times left out):

    LOGITLAB_MNIST_DIR=/path/to/idx/files python benchmarks/bench_reproduce.py --fast
    git worktree add /tmp/before 79bea30
    python benchmarks/bench_reproduce.py --part all --compare /tmp/before/src

A checkout's compiled kernel must be built in place (`python setup.py build_ext
--inplace` in it) for `--compare` to use it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TIMES = ("elapsed", "seconds", "timing", "logitlab_version")


def run_once(src: str | None, part: str, fast: bool) -> tuple[float, float, Any]:
    """(wall s, CPU s of the process and its workers, results.json) of one run."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory(prefix="bench-reproduce-") as out:
        args = ["reproduce", part, "--out", out, "--quiet", *(["--fast"] * fast)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "logitlab", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,  # its one "wrote ..." line
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = sum(
            getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime")
        )
        results = json.loads((Path(out) / "results.json").read_text())
    return wall, cpu, results


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """The paths where two results.json differ, times left out."""
    if any(t in path for t in TIMES):
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: only in one" for k in set(a) ^ set(b)]
        for k in sorted(set(a) & set(b)):
            out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            name = x.get("key", i) if isinstance(x, dict) else i
            out += differences(x, y, f"{path}/{name}")
        return out
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"[:160]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="all", choices=("paper", "report", "all"))
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--compare", metavar="SRC", help="another checkout's src/")
    options = parser.parse_args()
    contenders: dict[str, str | None] = {"this": None}
    if options.compare:
        contenders["compare"] = options.compare
    times: dict[str, list[tuple[float, float]]] = {who: [] for who in contenders}
    results: dict[str, Any] = {}
    for r in range(options.rounds):
        order = list(contenders) if r % 2 == 0 else list(contenders)[::-1]
        for who in order:
            wall, cpu, results[who] = run_once(
                contenders[who], options.part, options.fast
            )
            times[who].append((wall, cpu))
            print(f"round {r + 1} {who:<8} wall {wall:7.1f} s   CPU {cpu:7.1f} s",
                  flush=True)  # fmt: skip
    for who, rows in times.items():
        best = min(rows)
        print(f"{who:<8} best wall {best[0]:.1f} s (CPU {best[1]:.1f} s)")
    if options.compare:
        diff = differences(results["compare"], results["this"])
        print(f"results.json: {len(diff)} differences (compare -> this)")
        for line in diff:
            print("  " + line)


if __name__ == "__main__":
    main()
