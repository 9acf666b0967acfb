"""The README quick start, exactly as written (minus ``pip install .``), run from a copy of the repository root."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from qa_helpers import REPO, copy_examples, process_env, run


def quick_start_commands() -> tuple[dict[str, str], list[list[str]]]:
    """The exported variables and the ``rossum-iac`` commands of the README's first quick-start block."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "README quick start has no bash block"
    exports: dict[str, str] = {}
    commands: list[list[str]] = []
    for part in block.group(1).strip().split("&&"):
        words = shlex.split(part)
        if words[:2] == ["pip", "install"]:
            continue
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            exports[name] = value
            continue
        assert words[0] == "rossum-iac", f"unexpected quick-start step: {part.strip()}"
        commands.append(words[1:])
    return exports, commands


def test_readme_quick_start_works_as_written(tmp_path: Path) -> None:
    exports, commands = quick_start_commands()
    assert [c[0] for c in commands] == ["plan", "apply"]
    copy_examples(tmp_path / "examples" / "manifests")  # the README runs from the repository root
    env = process_env(**exports)
    plan, apply = (run(*args, cwd=tmp_path, env=env) for args in commands)
    assert plan.returncode == 0, plan.stderr
    assert "Plan: 15 to add, 0 to change, 0 to destroy." in plan.stdout  # "prints the plan (15 objects to add)"
    assert apply.returncode == 0, apply.stderr
    assert "Apply complete! Objects: 15 added" in apply.stdout
    assert (tmp_path / ".rossum-iac" / "emulator.sqlite3").is_file()  # "state lives in .rossum-iac/..."
    again = run(*commands[0], "--detailed-exitcode", cwd=tmp_path, env=env)
    assert again.returncode == 0 and "No changes." in again.stdout, again.stdout + again.stderr
    for result in (plan, apply, again):
        assert exports["AP_WEBHOOK_SECRET"] not in result.stdout + result.stderr
        assert "\x1b[" not in result.stdout + result.stderr  # not a terminal: no colour codes


def test_quick_start_from_another_directory_with_an_absolute_path(tmp_path: Path) -> None:
    manifests = copy_examples(tmp_path / "repo" / "examples" / "manifests")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("plan", str(manifests), "--emulator", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "Plan: 15 to add" in result.stdout
    assert (elsewhere / ".rossum-iac" / "emulator.sqlite3").is_file()
    assert not (manifests / ".rossum-iac").exists()  # nothing is written into the manifests
