"""Compiled schema checks are kept between runs (``check_cache``): a second process reuses them, a changed key
compiles anew, a damaged or unwritable cache costs only time, ``ROSSUM_IAC_CACHE_DIR=off`` keeps nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rossum_iac.manifest import check_cache

SOURCE = "def validate(data):\n    return data\n"


def _compiled(key: str, calls: list[str]) -> object:
    def source() -> str:
        calls.append(key)
        return SOURCE

    return check_cache.compiled("Example", key, source)


def test_a_key_is_compiled_once_then_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSSUM_IAC_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[str] = []
    first = _compiled("k1", calls)
    again = _compiled("k1", calls)
    other = _compiled("k2", calls)
    assert calls == ["k1", "k2"]
    namespace: dict[str, object] = {}
    exec(again, namespace)  # type: ignore[arg-type]
    assert namespace["validate"](3) == 3  # type: ignore[operator]
    assert first is not again and other is not first
    assert len(list((tmp_path / "cache").glob("check-*.marshal"))) == 2


def test_a_damaged_file_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSSUM_IAC_CACHE_DIR", str(tmp_path))
    calls: list[str] = []
    _compiled("k", calls)
    (cached,) = tmp_path.glob("check-*.marshal")
    cached.write_bytes(b"\x00not marshal")
    _compiled("k", calls)
    assert calls == ["k", "k"]


@pytest.mark.parametrize("setting", ["off", ""])
def test_the_cache_can_be_turned_off(setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSSUM_IAC_CACHE_DIR", setting)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls: list[str] = []
    _compiled("k", calls)
    _compiled("k", calls)
    assert calls == ["k", "k"]
    assert not list(tmp_path.rglob("check-*"))


def test_an_unwritable_place_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be")
    monkeypatch.setenv("ROSSUM_IAC_CACHE_DIR", str(blocked / "cache"))
    calls: list[str] = []
    _compiled("k", calls)
    _compiled("k", calls)
    assert calls == ["k", "k"]


def test_validate_in_a_new_process_reuses_the_checks(tmp_path: Path) -> None:
    """The real checks: a second ``rossum-iac validate`` reads the files the first wrote and compiles nothing."""
    stack = Path(__file__).resolve().parents[2] / "examples" / "manifests"
    env = {**os.environ, "ROSSUM_IAC_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()", "validate", str(stack)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    written = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache").glob("check-*.marshal")}
    assert written
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache").glob("check-*.marshal")} == written
