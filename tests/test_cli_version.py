"""`logitlab --version`: the version, and whether pip built the compiled kernel."""

from __future__ import annotations

from click.testing import CliRunner

from logitlab import __version__
from logitlab.backends import kernels as _kernels
from logitlab.cli import app


def test_version_says_whether_the_compiled_kernel_is_built(monkeypatch):
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    want = f"logitlab, version {__version__} (compiled kernel: built)\n"
    assert result.output == want  # CI builds it
    monkeypatch.setattr(_kernels, "_fused", None)
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "compiled kernel: not built" in result.output
