"""Where the data cache lives: LOGITLAB_DATA_DIR, else the platform's convention."""

from __future__ import annotations

import sys

import pytest

from logitlab.data.cache import cache_root

linux = pytest.mark.skipif(sys.platform != "linux", reason="XDG is Linux's convention")


def test_logitlab_data_dir_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "mine"


@linux
def test_xdg_cache_home_is_followed(tmp_path, monkeypatch):
    monkeypatch.delenv("LOGITLAB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "logitlab"


@linux
def test_without_xdg_it_is_the_home_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("LOGITLAB_DATA_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_root() == tmp_path / ".cache" / "logitlab"
