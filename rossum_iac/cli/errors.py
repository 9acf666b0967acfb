"""One error-handling decorator for every command: domain errors become one line and exit code 1.

Tracebacks are shown only with ``--debug`` (or ``ROSSUM_IAC_DEBUG=1``). Every command imports this module, so it
never imports the API client (httpx, the models): a client error can only exist once a command has imported the
client, and only then are its types looked at.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.errors import RossumIacError

F = TypeVar("F", bound=Callable[..., Any])


def debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, dict) and root.obj.get("debug"):
            return True
    return os.environ.get("ROSSUM_IAC_DEBUG", "") not in ("", "0", "false")


def fail(message: str, code: ExitCode = ExitCode.ERROR) -> None:
    """Print ``Error: message`` on stderr and exit with ``code``."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(int(code))


def describe_exception(exc: BaseException) -> str:
    """A one-line, secret-free description of an error for people.

    A rejected token or login (HTTP 401) reads the same from every command, whichever request met it."""
    if "rossum_iac.client.errors" in sys.modules:  # else the client was never imported: no client error exists
        from rossum_iac.client.errors import APIClientError, APITransportError, PollingTimeoutError, TaskFailedError
        from rossum_iac.ops.errors import CREDENTIALS_REJECTED, credentials_rejected

        if isinstance(exc, APITransportError):
            return f"cannot reach the API ({exc.method} {exc.url}): {exc.error}"
        if credentials_rejected(exc):
            return CREDENTIALS_REJECTED
        if isinstance(exc, APIClientError):
            return f"the API answered HTTP {exc.status_code} to {exc.method} {exc.url}: {exc.detail}"
        if isinstance(exc, PollingTimeoutError | TaskFailedError):
            return str(exc)
    if isinstance(exc, RossumIacError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def handle_errors(func: F) -> F:
    """Map exceptions raised by a command body to a message on stderr and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug_enabled():
                traceback.print_exc(file=sys.stderr)
            fail(describe_exception(exc))

    return wrapper  # type: ignore[return-value]
