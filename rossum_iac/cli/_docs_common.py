"""Options and the client runner shared by the ``documents``, ``annotations`` and ``tasks`` commands."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from rossum_iac.cli.target import TargetOptions, api_target, run_with_client
from rossum_iac.client import AsyncRossumAPIClient
from rossum_iac.ops.queues import QueueRef, parse_queue_ref

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_WAIT_TIMEOUT_S = 600.0


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts) instead of a table.")(func)


def queue_options(*, required: bool) -> Callable[[F], F]:
    """``--queue ID|KEY`` and ``--stack NAME``."""

    def decorate(func: F) -> F:
        func = click.option(
            "--stack",
            metavar="NAME",
            default=None,
            help="With a queue key: the stack whose queue is meant (when several stacks use the key).",
        )(func)
        return click.option(
            "--queue",
            "-q",
            "queue",
            metavar="ID|KEY",
            required=required,
            help="Queue id, or the queue's manifest key (found by its ownership marker).",
        )(func)

    return decorate


def timeout_option(help_text: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--timeout",
            type=float,
            default=DEFAULT_WAIT_TIMEOUT_S,
            show_default=True,
            metavar="SECONDS",
            help=help_text,
        )(func)

    return decorate


def queue_ref(queue: str | None, stack: str | None) -> QueueRef | None:
    """The parsed ``--queue`` (``None`` when absent); ``--stack`` without ``--queue`` is an error."""
    from rossum_iac.errors import UsageError

    if queue is None:
        if stack is not None:
            raise UsageError("--stack is only used together with --queue KEY")
        return None
    return parse_queue_ref(queue, stack)


def run(
    target_options: TargetOptions,
    work: Callable[[AsyncRossumAPIClient], Awaitable[T]],
    *,
    max_in_flight: int | None = None,
) -> T:
    """Resolve the API target and run ``work(client)`` on an async client (``max_in_flight`` overrides the
    client's bound on concurrent requests, e.g. for ``--concurrency``)."""
    if max_in_flight is not None:
        target_options = dataclasses.replace(target_options, max_in_flight=max_in_flight)
    with api_target(target_options) as target:
        return run_with_client(target, work)
