"""`logitlab --version`: the version, and whether the compiled kernel is in use."""

from __future__ import annotations

from click.testing import CliRunner

from logitlab import __version__
from logitlab.backends import compiled
from logitlab.cli import app


def _version_line() -> str:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    return result.output


def test_version_says_whether_the_compiled_kernel_is_built(monkeypatch):
    state = "switched off: LOGITLAB_COMPILED=0" if compiled.SWITCHED_OFF else "built"
    want = f"logitlab, version {__version__} (compiled kernel: {state})\n"
    assert _version_line() == want  # CI builds it, and runs once with it off
    monkeypatch.setattr(compiled, "_fused", None)
    monkeypatch.setattr(compiled, "SWITCHED_OFF", False)
    assert "compiled kernel: not built" in _version_line()
    monkeypatch.setattr(compiled, "SWITCHED_OFF", True)
    assert "compiled kernel: switched off" in _version_line()
