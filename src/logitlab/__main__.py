"""`python -m logitlab` and the `logitlab` console script.

The signal handlers go in before the CLI's imports (NumPy, scikit-learn, matplotlib:
seconds on a slow machine), so Ctrl-C or SIGTERM at any moment is one line and exit
code 130 / 143, never a traceback.
"""

from __future__ import annotations

import sys

from logitlab import _signals


def main() -> None:
    """Console-script entry point."""
    _signals.install()
    try:
        from logitlab.cli import main as run
    except Exception as exc:  # an Interrupted, or an ImportError it caused
        signal = _signals.interruption(exc)
        if signal is None:
            raise
        sys.stderr.write(f"logitlab: {getattr(signal, 'verb', 'interrupted')} while "
                         "starting\n")  # fmt: skip
        raise SystemExit(getattr(signal, "exit_code", 130)) from None
    try:
        run()
    finally:  # done, or rolled back: a signal during the interpreter's exit must not
        _signals.ignore()  # turn a finished run into a death by SIGINT (exit -2)


if __name__ == "__main__":
    main()
