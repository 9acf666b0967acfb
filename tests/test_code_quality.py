"""The project's own checks, run with the test suite so CI enforces them: ruff and mypy stay clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean():
    # ``python -m ruff``: the same interpreter as the tests, whatever PATH holds
    result = _run(sys.executable, "-m", "ruff", "check", "rossum_iac", "tests", "tools", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean(tmp_path: Path):
    result = _run(sys.executable, "-m", "mypy", "rossum_iac", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert result.returncode == 0, result.stdout + result.stderr
