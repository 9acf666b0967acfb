"""``rossum-iac validate`` (offline manifest validation) and ``rossum-iac schema`` (the manifest JSON Schema)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rossum_iac.cli.common import use_color
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.manifest.errors import ManifestError
from rossum_iac.manifest.loader import LoadResult, load
from rossum_iac.manifest.schema_validation import schema_text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def problem_line(problem: ManifestError, color: bool) -> str:
    """``file:line:column: error|warning: message``, the label coloured on a terminal."""
    label = problem.severity
    if color:
        label = click.style(label, fg="red" if label == "error" else "yellow", bold=True)
    return f"{problem.location}: {label}: {problem.message}"


def _human(result: LoadResult, env: str | None) -> str:
    color = use_color()
    lines = [problem_line(error, color) for error in result.errors]
    lines += [problem_line(warning, color) for warning in result.warnings]
    warned = f" and {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
    if result.errors:
        error_files = len({str(error.file) for error in result.errors})
        lines.append(
            f"{_plural(len(result.errors), 'error')}{warned} in {_plural(error_files, 'file')} "
            f"({_plural(result.objects, 'object')} checked); nothing was sent to the API."
        )
    else:
        assert result.stack is not None
        where = f"stack {result.stack.name}" + (f", environment {env}" if env else "")
        files = _plural(len(result.files), "file")
        with_warnings = f", with {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
        lines.append(f"{_plural(result.objects, 'object')} in {files} are valid ({where}){with_warnings}.")
    return "\n".join(lines)


def _machine(result: LoadResult, env: str | None) -> str:
    payload = {
        "valid": not result.errors,
        "stack": result.stack.name if result.stack is not None else None,
        "environment": env,
        "files": len(result.files),
        "objects": result.objects,
        "errors": [error.to_dict() for error in result.errors],
        "warnings": [warning.to_dict() for warning in result.warnings],
    }
    return json.dumps(payload, indent=2)


@click.command("validate")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--env", "env", metavar="NAME", help="Environment whose variables to use (environments/NAME.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. fields rossum-iac does not know) as errors.")
@handle_errors
def validate(directory: Path, env: str | None, as_json: bool, strict: bool) -> None:
    """Check the manifests in DIRECTORY (default: .) without contacting any API.

    Every problem is listed with its file, line and column. Exit code 0 when valid (warnings allowed), 1 otherwise;
    with --strict, warnings count as errors. A ${env.NAME} that is not set is a warning here (validate runs where
    secrets are absent, e.g. pull requests from forks); plan and apply refuse it.
    """
    result = load(directory, env, strict=strict, missing_env="warning")
    click.echo(_machine(result, env) if as_json else _human(result, env))
    if result.errors:
        raise SystemExit(int(ExitCode.ERROR))


@click.command("schema")
@handle_errors
def schema() -> None:
    """Print the JSON Schema of the manifest format (for editor completion and validation)."""
    click.echo(schema_text(), nl=False)
