"""Every command's --help ends with one or two examples that parse with that command (no invented option), option
names agree across commands, and mistyped kinds, keys, statuses and options get a "did you mean"."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from e2e_helpers import BASE_MANIFESTS, Cli, write_manifests

from rossum_iac.cli.examples import EXAMPLES
from rossum_iac.cli.main import main


def command_paths() -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        yield name, command
        if isinstance(command, click.Group):
            for sub, subcommand in command.commands.items():
                yield f"{name} {sub}", subcommand


PATHS = dict(command_paths())


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_help_ends_with_examples(path: str) -> None:
    result = invoke(*path.split(), "--help")
    assert result.exit_code == 0, result.output
    examples = EXAMPLES[path]
    assert 1 <= len(examples) <= 2
    tail = [line.strip() for line in result.output.rstrip().splitlines()[-len(examples) - 2 :]]
    assert tail == ["Examples:" if len(examples) > 1 else "Example:", "", *examples]


def test_every_example_names_a_real_command() -> None:
    assert set(EXAMPLES) == set(PATHS)


@pytest.mark.parametrize("example", sorted({e for lines in EXAMPLES.values() for e in lines}))
def test_examples_parse_with_their_command(example: str) -> None:
    words = shlex.split(example)
    assert words[0] == "rossum-iac"
    args = words[1 : words.index(">")] if ">" in words else words[1:]
    result = invoke(*args, "--help")  # parses every option first: a wrong name or value fails before the help
    assert result.exit_code == 0, f"{example}: {result.output}"


def options(path: str) -> set[str]:
    return {opt for param in PATHS[path].params for opt in getattr(param, "opts", [])}


def test_option_names_agree_across_commands() -> None:
    for path in ("plan", "documents download", "annotations export"):
        assert {"-o", "--out"} <= options(path), path  # where a command writes a file
    for path in ("validate", "plan", "apply", "drift", "import", "pull"):
        assert {"--json", "--env"} <= options(path), path
    for path in ("plan", "apply"):
        [target] = [p for p in PATHS[path].params if "--target" in getattr(p, "opts", [])]
        assert target.metavar == "KIND/KEY"
    assert {"--format"} <= options("plan") & options("drift")


def test_mistyped_option_and_status() -> None:
    result = invoke("plan", ".", "--jsn")
    assert result.exit_code == 1 and "Did you mean" in result.output and "--json" in result.output
    result = invoke("annotations", "list", "--queue", "1", "--status", "to-review", "--emulator", ":memory:")
    assert (
        result.exit_code == 1 and "unknown annotation status 'to-review' (did you mean 'to_review'?)" in result.output
    )


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    return write_manifests(tmp_path / "m", BASE_MANIFESTS)


def test_target_kinds_in_any_case_and_did_you_mean(stack: Path, emulator: Any) -> None:
    cli = Cli(emulator)
    code, plan = cli.json("plan", str(stack), "--target", "queue/main")
    assert code == 0 and plan["options"]["targets"] == ["Queue/main"]
    assert {a["address"] for a in plan["resource_changes"]} == {"Queue/main", "Workspace/main", "Schema/main"}
    result = cli("plan", str(stack), "--target", "Queu/main")
    assert result.exit_code == 1 and "(did you mean 'Queue'?)" in result.output
    result = cli("plan", str(stack), "--target", "Queue/mian")
    assert result.exit_code == 1 and "no such object in the manifests" in result.output
    assert "(did you mean 'main'?)" in result.output
