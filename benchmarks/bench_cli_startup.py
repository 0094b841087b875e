"""Wall time of `logitlab --help`, `logitlab train --help` and one completion TAB.

Each is a fresh process (what a user and the shell pay), best of N rounds. With
`--compare SRC` the same commands run from another checkout's `src/` folder in the
same rounds, alternating, so the ratio holds on a busy machine:

    python benchmarks/bench_cli_startup.py                       # this install
    git worktree add /tmp/before 4b01d82
    python benchmarks/bench_cli_startup.py --compare /tmp/before/src
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

COMMANDS = {
    "logitlab --help": (["--help"], {}),
    "logitlab train --help": (["train", "--help"], {}),
    "completion of `logitlab train --sch`": (
        [],
        {
            "_LOGITLAB_COMPLETE": "bash_complete",
            "COMP_WORDS": "logitlab train --sch",
            "COMP_CWORD": "2",
        },
    ),
}
ENTRY = "import sys; from logitlab.cli import app; app(prog_name='logitlab')"


def wall_time(src: str | None, args: list[str], env: dict[str, str]) -> float:
    """Seconds of one `logitlab ARGS` process importing logitlab from `src`."""
    full_env = {**os.environ, **env}
    if src is not None:
        full_env["PYTHONPATH"] = src
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        env=full_env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", metavar="SRC", help="another checkout's src/")
    options = parser.parse_args()
    contenders = {"this": None} | (
        {"compare": options.compare} if options.compare else {}
    )
    best: dict[tuple[str, str], float] = {}
    for _ in range(options.rounds):
        for label, (args, env) in COMMANDS.items():
            for who, src in contenders.items():
                t = wall_time(src, args, env)
                best[label, who] = min(best.get((label, who), t), t)
    print(
        f"best of {options.rounds} rounds, seconds (python -c 'from logitlab.cli ...')"
    )
    for label in COMMANDS:
        row = f"  {label:<40} this {best[label, 'this']:.3f}"
        if options.compare:
            other = best[label, "compare"]
            row += f"   compare {other:.3f}   ratio {other / best[label, 'this']:.1f}x"
        print(row)


if __name__ == "__main__":
    main()
