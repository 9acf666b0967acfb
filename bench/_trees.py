"""A source tree of another commit, for the before/after benchmarks (``--baseline-commit``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def baseline_tree(commit: str, tmp: Path) -> Path:
    """``git archive`` of ``commit`` unpacked under ``tmp``; its ``rossum_iac/`` is what gets measured."""
    target = tmp / f"baseline-{commit[:10]}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target
