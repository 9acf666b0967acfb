"""``--format text|json|markdown`` (with ``--json`` as its alias) and ``--compact`` for plan and drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from rossum_iac.errors import UsageError

FORMATS = ("text", "json", "markdown")


def format_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option(
            "--format",
            "output_format_name",
            type=click.Choice(FORMATS),
            default=None,
            help=f"How to print the {what}: text (default), json, or markdown (for a pull-request comment: a "
            "table per kind and a collapsible section per object, at most 60,000 characters).",
        )(func)
        return click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(func)

    return decorate


def compact_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--compact", is_flag=True, help="One line per object (text and markdown) instead of every field change."
    )(func)


def output_format(chosen: str | None, as_json: bool, compact: bool = False) -> str:
    """The format asked for; ``--json`` with another ``--format``, or ``--compact`` with JSON, is a usage error."""
    if as_json and chosen not in (None, "json"):
        raise UsageError(f"--json and --format {chosen} ask for different outputs; use one of them")
    result = "json" if as_json else chosen or "text"
    if compact and result == "json":
        raise UsageError("--compact applies to --format text or markdown, not to JSON")
    return result
