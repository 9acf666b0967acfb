"""Atomic output files: nothing half-written at the target, ever."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rossum_iac.ops.files import atomic_writer, leftover_parts


def test_writes_and_renames(tmp_path: Path):
    target = tmp_path / "out.csv"
    with atomic_writer(target) as handle:
        handle.write(b"a,b\n")
        assert not target.exists()
        assert len(leftover_parts(tmp_path, "out.csv")) == 1
    assert target.read_bytes() == b"a,b\n"
    assert leftover_parts(tmp_path, "out.csv") == []


def test_permissions_follow_umask(tmp_path: Path):
    target = tmp_path / "out.bin"
    with atomic_writer(target) as handle:
        handle.write(b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


@pytest.mark.parametrize("exc_type", [RuntimeError, KeyboardInterrupt])
def test_failure_keeps_old_file_and_removes_temp(tmp_path: Path, exc_type: type[BaseException]):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    with pytest.raises(exc_type), atomic_writer(target) as handle:
        handle.write(b"partial")
        raise exc_type()
    assert target.read_bytes() == b"old"
    assert leftover_parts(tmp_path, "out.csv") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
