"""Helpers to write small manifest directories in tests."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner

from rossum_iac.cli.main import main
from rossum_iac.manifest.errors import ManifestError
from rossum_iac.manifest.loader import validate_stack

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"

STACK_FILE = """\
stack: demo
environments:
  dev:
    variables:
      threshold: 100
"""


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> text, dedented) under ``root``; adds a rossum.yaml unless given."""
    root.mkdir(parents=True, exist_ok=True)
    if "rossum.yaml" not in files:
        (root / "rossum.yaml").write_text(STACK_FILE)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def errors_in(root: Path, env: str | None = None, environ: Mapping[str, str] | None = None) -> list[ManifestError]:
    """The errors of ``validate_stack``, after checking that ``rossum-iac validate`` reports the same ones.

    The CLI must exit 1 and print each error on its own line (0 and no errors when valid). The autouse
    ``no_network`` fixture fails the test if anything opens a connection.
    """
    errors = validate_stack(root, env, environ or {})
    args = ["validate", str(root), *(["--env", env] if env else [])]
    result = CliRunner().invoke(main, args, env=dict(environ or {}), catch_exceptions=False)
    lines = result.output.splitlines()
    if errors:
        assert result.exit_code == 1, result.output
        assert lines[: len(errors)] == [str(error) for error in errors]
    else:
        assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return errors


def one_error(root: Path, env: str | None = None, environ: Mapping[str, str] | None = None) -> ManifestError:
    errors = errors_in(root, env, environ)
    assert len(errors) == 1, "\n".join(str(e) for e in errors)
    return errors[0]


BASE = """\
kind: Workspace
key: ws
name: Workspace
---
kind: Schema
key: invoice
name: Invoice
content:
  - category: section
    id: main
    label: Main
    children:
      - {category: datapoint, id: amount, label: Amount, type: number}
---
kind: Queue
key: q1
name: Queue 1
workspace: ws
schema: invoice
"""
"""A small valid stack (Workspace ws, Schema invoice, Queue q1) to add bad documents to."""
