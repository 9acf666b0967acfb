"""Running the rossum-iac lines of a CI file the way a CI runner would: variables expanded as a POSIX shell does
(``"$X"`` one word, ``$X`` split, an empty unquoted one gone), ``> FILE`` redirecting stdout, in-process through
click's runner in the current directory. Other lines (pip, gh, curl...) need the CI service and are only listed."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from rossum_iac.cli.main import main

_VAR = re.compile(r'"\$\{?(\w+)\}?"|\$\{?(\w+)\}?')


@dataclass
class Run:
    line: str
    args: list[str]
    result: Result


def expand(line: str, env: Mapping[str, str]) -> list[str]:
    """The words of ``line`` after variable expansion (no globbing, no command substitution)."""

    def substitute(found: re.Match[str]) -> str:
        if found.group(1) is not None:
            return shlex.quote(env.get(found.group(1), ""))
        return env.get(found.group(2), "")

    return shlex.split(_VAR.sub(substitute, line))


def rossum_lines(script: str | list[str]) -> tuple[list[str], list[str]]:
    """(rossum-iac command lines, other lines) of a step's ``run`` text or a job's ``script`` list."""
    lines = script if isinstance(script, list) else script.splitlines()
    ours, others = [], []
    for line in (str(x).strip() for x in lines):
        if not line or line.startswith("#"):
            continue
        (ours if line.startswith("rossum-iac ") else others).append(line)
    return ours, others


def run_line(line: str, env: Mapping[str, str], cwd: Path) -> Run:
    words = expand(line, env)
    assert words[0] == "rossum-iac", line
    args, out = words[1:], None
    if ">" in args:
        at = args.index(">")
        args, out = args[:at], args[at + 1]
    result = CliRunner().invoke(main, args, env={**env, "NO_COLOR": "1"}, catch_exceptions=False)
    if out is not None:
        (cwd / out).write_text(result.stdout)
    return Run(line, args, result)
