"""Commands that never talk to an API start without importing the HTTP client: ``--help``, ``validate``,
``schema`` (and the help of every command) leave httpx and ``rossum_iac.client`` out of ``sys.modules``."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rossum_iac.cli.main import COMMANDS, SUMMARIES, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "manifests"
HEAVY = ("httpx", "rossum_iac.client", "rossum_iac.client.errors", "rossum_iac.emulator")

PROBE = """
import json, sys
from rossum_iac.cli.main import main
try:
    main(sys.argv[1:], prog_name="rossum-iac")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = json.loads(os.environ["PROBE_HEAVY"])
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""


def _run(args: list[str], tmp_path: Path) -> dict:
    env = {**os.environ, "PROBE_HEAVY": json.dumps(HEAVY), "AP_WEBHOOK_SECRET": "cold-start-secret", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "import os\n" + PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    last = done.stderr.strip().splitlines()[-1]
    result = json.loads(last)
    result["stdout"] = done.stdout
    return result


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["validate", str(EXAMPLES)],
        ["validate", str(EXAMPLES), "--json"],
        ["schema"],
        ["plan", "--help"],
        ["apply", "--help"],
        ["drift", "--help"],
        ["validate", "/nonexistent/manifests"],
    ],
)
def test_offline_commands_do_not_import_the_client(args: list[str], tmp_path: Path) -> None:
    result = _run(args, tmp_path)
    assert result["loaded"] == [], f"rossum-iac {' '.join(args)} imported {result['loaded']}"
    if args[-1] != "/nonexistent/manifests":
        assert result["code"] == 0
        assert result["stdout"].strip()
    else:
        assert result["code"] == 1  # an error message without the client (describe_exception stays light)


def test_summaries_are_the_first_paragraph_of_each_command_help() -> None:
    assert list(SUMMARIES) == list(COMMANDS), "every command in COMMANDS needs its summary in SUMMARIES"
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        first = (command.help or "").split("\n\n")[0]
        assert SUMMARIES[name] == " ".join(first.split()), name


class _InOrder(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_help_lists_commands_as_click_would(width: int) -> None:
    lazy = CliRunner().invoke(main, ["--help"], terminal_width=width)
    eager = _InOrder(
        "rossum-iac",
        commands={
            name: getattr(importlib.import_module(target.split(":")[0]), target.split(":")[1])
            for name, target in COMMANDS.items()
        },
        context_settings={"max_content_width": 100},
    )
    expected = CliRunner().invoke(eager, ["--help"], terminal_width=width)
    assert lazy.exit_code == 0
    listed = lazy.output.split("Commands:")[1]
    assert listed == expected.output.split("Commands:")[1]
