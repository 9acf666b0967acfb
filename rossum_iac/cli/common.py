"""Options and helpers shared by the declarative commands (plan, apply, drift, import)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from rossum_iac.errors import UsageError
from rossum_iac.manifest.model import Stack


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def use_color() -> bool:
    """Colour only on a terminal, and never with a non-empty ``NO_COLOR`` (https://no-color.org: an empty
    ``NO_COLOR`` counts as unset). The one place every command decides about colour."""
    return stdout_is_terminal() and not os.environ.get("NO_COLOR")


def interactive() -> bool:
    """Whether a person can answer a prompt (stdin and stdout are terminals)."""
    return sys.stdin.isatty() and stdout_is_terminal()


def env_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--env",
        "env",
        metavar="NAME",
        default=None,
        help="Environment to load (variables and API URL from its environment file).",
    )(func)


def object_targets_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="KIND/KEY",
        help="Only this object and what it depends on (repeatable). For exceptional use: other changes stay pending.",
    )(func)


def queue_delete_after_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--queue-delete-after",
        metavar="DURATION",
        default=None,
        help="When the API deletes a removed queue and its documents: 0 for at once, e.g. 2h, 1d, or 24:00:00 "
        "(the API default is 24 hours).",
    )(func)


def parse_queue_delete_after(value: str | None) -> str | None:
    from rossum_iac.engine import parse_delete_after

    if value is None:
        return None
    try:
        return parse_delete_after(value)
    except ValueError as exc:
        raise UsageError(f"--queue-delete-after: {exc}") from None


def load_manifests(directory: Path, env: str | None) -> Stack:
    """Load and validate the manifests (no network access); warnings are printed on stderr and loading goes on."""
    from rossum_iac.manifest import ManifestErrors, load

    if not directory.exists():
        raise UsageError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory of manifests")
    with _long_lived():
        result = load(directory, env=env)
    if result.errors or result.stack is None:
        raise ManifestErrors(result.errors)
    for warning in result.warnings:
        log(str(warning))
    return result.stack


@contextmanager
def _long_lived() -> Iterator[None]:
    """Build objects that live until the command ends (the loaded stack) without the cyclic garbage collector,
    then move everything built so far out of its reach (``gc.freeze``): its full collections would otherwise scan
    the whole stack again and again while it grows, and later while the organization is read and diffed (a
    quarter of the CPU of a plan of 5,000 objects). Loading makes few reference cycles; they stay until the
    process exits."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def env_base_url(stack: Stack) -> str | None:
    return stack.environment.api_base_url if stack.environment else None


def env_name(stack: Stack) -> str | None:
    return stack.environment.name if stack.environment else None


def log(message: str) -> None:
    """A progress or status line on stderr (stdout carries the plan, results or JSON)."""
    click.echo(message, err=True)
