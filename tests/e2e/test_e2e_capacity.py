"""Objects without metadata of their own (labels, rules, engines) are recorded in the organization's metadata, which
the API limits to 4 kB: a stack whose records cannot fit is refused at plan time, before anything is created (past
the limit the API refuses the record after the object exists, and every later apply would fail the same way)."""

from __future__ import annotations

from typing import Any

from e2e_helpers import Cli, write_manifests, write_requests


def _labels(n: int) -> str:
    return "\n---\n".join(f"kind: Label\nkey: label-{i:03d}\nname: Label number {i}" for i in range(n))


def test_records_that_cannot_fit_are_refused_before_anything_is_written(emulator: Any, tmp_path: Any) -> None:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", {"rossum.yaml": "stack: many\n", "labels.yaml": _labels(300)})
    emulator.request_log.clear()
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 1
    assert "the organization's metadata would need" in result.output and "(300 Label)" in result.output
    assert "Traceback" not in result.output
    assert write_requests(emulator) == []
    assert cli("plan", str(root)).exit_code == 1

    # a stack that fits is applied, and its records are all there: the plan is empty afterwards
    write_manifests(root, {"labels.yaml": _labels(120)})
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert cli("plan", str(root), "--detailed-exitcode").exit_code == 0
