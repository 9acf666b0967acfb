"""Shared by the commands that write to the organization (apply, pull --adopt, import): the confirmation, the
per-object progress lines and what Ctrl-C says."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from rossum_iac.cli.common import log

SYMBOL = {"create": "+", "update": "~", "adopt": "~", "delete": "-", "replace": "-/+", "forget": "."}
DONE = {
    "create": "created",
    "update": "updated",
    "adopt": "adopted",
    "delete": "deleted",
    "replace": "replaced",
    "forget": "released",
}


def progress(result: Any) -> None:
    sym = SYMBOL.get(result.action, "?")
    if result.status == "ok":
        ident = f" (id {result.id})" if result.id is not None else ""
        log(f"{sym:>3} {result.address}: {DONE.get(result.action, result.action)}{ident} [{result.seconds:.2f}s]")
        if result.detail:
            log(f"      {result.detail}")
    elif result.status == "failed":
        log(f"{sym:>3} {result.address}: FAILED: {result.detail}")
    else:
        log(f"{sym:>3} {result.address}: skipped ({result.detail})")


def confirmed(question: str, *, err: bool = False) -> bool:
    """Ask on the terminal; only ``yes`` approves."""
    answer = click.prompt(f"{question} Only 'yes' will be accepted to approve", default="", show_default=False, err=err)
    return bool(answer.strip() == "yes")


@contextmanager
def report_interruption() -> Iterator[None]:
    """Ctrl-C during apply: say that the organization may be part-way, and how to continue (exit code 130)."""
    try:
        yield
    except KeyboardInterrupt:
        log(
            "Interrupted: apply stopped part-way. Changes reported above were made; requests in flight may or may "
            "not have taken effect. Run `rossum-iac plan` to see what is left, or apply again to finish."
        )
        sys.exit(130)
