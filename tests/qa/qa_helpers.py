"""Running ``rossum-iac`` like a user: in-process (CliRunner) or as a real process, with a clean environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from rossum_iac.cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "manifests"
SECRET = "qa-webhook-secret-7f3a9c"
"""The example webhook's signing secret in these tests (long enough to be unmistakable in any output)."""

CREDENTIAL_VARIABLES = ("ROSSUM_API_TOKEN", "ROSSUM_TOKEN", "ROSSUM_USERNAME", "ROSSUM_PASSWORD",
                        "ROSSUM_API_BASE_URL", "ROSSUM_URL", "ROSSUM_IAC_DEBUG")


def copy_examples(dest: Path) -> Path:
    """A private copy of ``examples/manifests`` at ``dest`` (tests never touch the repository's files)."""
    shutil.copytree(EXAMPLES, dest)
    return dest


def cli(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """Run in-process. Exceptions escaping the CLI fail the test (``catch_exceptions=False``): a user would see a
    traceback."""
    clean: dict[str, str | None] = {name: None for name in CREDENTIAL_VARIABLES}
    clean |= {"NO_COLOR": "1", "AP_WEBHOOK_SECRET": SECRET}
    clean |= env or {}
    return CliRunner().invoke(main, list(args), env=clean, input=input, catch_exceptions=False)


def process_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    return env | {"NO_COLOR": "1", "AP_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(REPO)} | extra


COMMAND = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()"]
INTERRUPTIBLE_COMMAND = [
    sys.executable,
    "-c",
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from rossum_iac.cli.main import main; main()",
]
"""``COMMAND`` with Ctrl-C as in a terminal: a process started from a background job (``pytest ... &`` in a
script, some CI runners) inherits SIGINT ignored, and a SIGINT sent to it would be lost."""
"""``rossum-iac`` as a separate process (the installed entry point does exactly this)."""


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, env=env or process_env(), capture_output=True, text=True, timeout=timeout
    )


def one_error_line(result: Any) -> str:
    """The one ``Error: ...`` line of a failed in-process run (exit code 1, no traceback, no internal error)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return str(lines[0])
