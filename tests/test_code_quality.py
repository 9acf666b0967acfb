"""The project's own checks, run with the test suite so CI enforces them: ruff and mypy stay clean, and the
emulator stays independent of the product."""

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


def test_the_emulator_shares_no_code_with_the_product() -> None:
    """The emulator keeps its own description of the API: a mistake shared with the product would pass every test."""
    import ast

    product = ("rossum_iac.kinds", "rossum_iac.engine", "rossum_iac.manifest", "rossum_iac.pull", "rossum_iac.client")
    offenders = []
    for path in sorted((ROOT / "rossum_iac" / "emulator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):  # ``from ..kinds import x`` inside rossum_iac/emulator/ counts
                names = [node.module or ""] if node.level < 2 else [f"rossum_iac.{node.module or ''}"]
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith(product)]
    assert offenders == []
