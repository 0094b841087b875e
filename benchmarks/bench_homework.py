"""How long `logitlab homework` takes, stage by stage (issue 4: seconds, not minutes).

    LOGITLAB_MNIST_DIR=/path/to/idx python benchmarks/bench_homework.py [--rounds 3]

Times the whole command in a fresh process (imports included) and, in this process,
each stage of `run_homework` plus writing the outputs, with MNIST already cached. CPU
seconds are printed beside wall seconds: on a shared machine the wall time of a
process is inflated by other work, its CPU time much less.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time

from logitlab import _console
from logitlab.data import load_mnist
from logitlab.experiments.homework import run_homework


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    load_mnist()  # fill the cache: the command is timed with MNIST cached
    _console.set_quiet(True)

    walls, cpus = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as out:
            cpu0, t0 = _children_cpu(), time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "logitlab", "homework", "--quiet", "--out", out],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            walls.append(time.perf_counter() - t0)
            cpus.append(_children_cpu() - cpu0)
    print(f"logitlab homework (whole command, {rounds} rounds, MNIST cached)")
    print(f"  wall: best {min(walls):.2f} s, median {sorted(walls)[rounds // 2]:.2f} s")
    print(f"  CPU:  best {min(cpus):.2f} s")

    t0, c0 = time.perf_counter(), time.process_time()
    result = run_homework(digits=(0, 1))
    with tempfile.TemporaryDirectory() as out:
        t1 = time.perf_counter()
        result.save(out)
        save_s = time.perf_counter() - t1
    print("stages of run_homework (this process, wall seconds)")
    for stage, seconds in result.timings.items():
        print(f"  {stage:<15} {seconds:6.2f} s")
    print(f"  {'save outputs':<15} {save_s:6.2f} s")
    total_cpu = time.process_time() - c0
    print(f"  total {time.perf_counter() - t0:.2f} s wall, {total_cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
