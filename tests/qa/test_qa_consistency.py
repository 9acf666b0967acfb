"""QA tests: the same situation reads the same from every command (rejected credentials, cancelled apply, NO_COLOR)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from qa_helpers import SECRET, cli, copy_examples, one_error_line

from rossum_iac.cli import common
from rossum_iac.cli.main import main

REJECTED = (
    "Error: the API rejected the credentials (HTTP 401); check ROSSUM_API_TOKEN or ROSSUM_USERNAME/ROSSUM_PASSWORD"
)
BAD_TOKEN = "qa-not-the-token-4e8b1d"
ANSI = "\x1b["


def test_rejected_token_reads_the_same_from_every_api_command(emulator: Any, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    env = {"ROSSUM_API_TOKEN": BAD_TOKEN, "ROSSUM_API_BASE_URL": emulator.base_url}
    commands = [
        ("documents", "upload", "--queue", "1", str(pdf)),
        ("documents", "list"),
        ("documents", "show", "1"),
        ("annotations", "show", "1"),
        ("tasks", "show", "1"),
        ("plan", str(root)),
        ("apply", str(root), "--auto-approve"),
        ("drift", str(root)),
    ]
    for args in commands:
        result = cli(*args, env=env)
        assert one_error_line(result) == REJECTED, args
        assert BAD_TOKEN not in result.output


def test_rejected_login_reads_the_same_as_a_rejected_token(emulator: Any, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    env = {"ROSSUM_USERNAME": emulator.username, "ROSSUM_PASSWORD": "qa-wrong-password-77a1",
           "ROSSUM_API_BASE_URL": emulator.base_url}
    for args in (("plan", str(root)), ("documents", "list")):
        result = cli(*args, env=env)
        assert one_error_line(result) == REJECTED, args
        assert "qa-wrong-password-77a1" not in result.output


def test_declined_apply_exits_1_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rossum_iac.cli.apply as apply_module

    monkeypatch.setattr(apply_module, "interactive", lambda: True)  # as if run on a terminal
    root = copy_examples(tmp_path / "m")
    db = str(tmp_path / "emulator.db")
    result = cli("apply", str(root), "--emulator", db, input="no\n")
    assert result.exit_code == 1, result.output
    assert "Apply cancelled." in result.output
    assert "Traceback" not in result.output and SECRET not in result.output
    # nothing was applied: the same plan is still pending
    assert cli("plan", str(root), "--emulator", db, "--detailed-exitcode").exit_code == 2
    # answering "yes" does apply, and exits 0
    assert cli("apply", str(root), "--emulator", db, input="yes\n").exit_code == 0
    assert cli("plan", str(root), "--emulator", db, "--detailed-exitcode").exit_code == 0


def _colour_run(args: list[str], no_color: str | None, terminal: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run with ANSI kept in the captured output, stdout reported as a terminal or not."""
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: terminal)
    env: dict[str, str | None] = {"NO_COLOR": no_color, "ROSSUM_API_TOKEN": None, "AP_WEBHOOK_SECRET": SECRET}
    result = CliRunner().invoke(main, args, env=env, color=True, catch_exceptions=False)
    return result.output


@pytest.mark.parametrize(
    ("no_color", "terminal", "coloured"),
    [(None, True, True), ("", True, True), ("1", True, False), ("0", True, False), (None, False, False)],
)
def test_no_color_only_when_non_empty_and_colour_only_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: str | None, terminal: bool, coloured: bool
) -> None:
    root = copy_examples(tmp_path / "m")
    plan = _colour_run(["plan", str(root), "--emulator", str(tmp_path / "e.db")], no_color, terminal, monkeypatch)
    assert "Plan:" in plan or "to add" in plan, plan
    assert (ANSI in plan) is coloured, plan
    (root / "broken.yaml").write_text("kind: Queue\nkey: broken\n")
    checked = _colour_run(["validate", str(root)], no_color, terminal, monkeypatch)
    assert "error" in checked, checked
    assert (ANSI in checked) is coloured, checked
