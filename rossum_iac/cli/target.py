"""Which API a command talks to: shared click options and a context manager, for every API command.

Precedence for the API URL: ``--emulator [DB]`` > ``--base-url`` > the environment file's ``api_base_url``
(``--env``) > ``ROSSUM_API_BASE_URL`` > ``ROSSUM_URL`` (legacy). A URL with a user name or password in it is
refused (its password is never shown).

Credentials come only from the process environment. With ``--env NAME`` whose environment names its variables
(``token_env: ROSSUM_PROD_TOKEN``, or ``username_env`` and ``password_env``), only those are used, so one
environment's token is never sent to another environment's host. An environment that names none, in a stack that
defines more than one environment, is an error saying which variable to add. Otherwise (no ``--env``, or a single
environment): ``ROSSUM_API_TOKEN`` (legacy ``ROSSUM_TOKEN``), else ``ROSSUM_USERNAME`` + ``ROSSUM_PASSWORD``.
``--emulator`` starts the local emulator in this process on a free loopback port, with its state in ``DB``
(default ``.rossum-iac/emulator.sqlite3`` under the current directory) so consecutive commands see the same
organization; it uses the emulator's own token. Tokens and passwords are never printed.

Request pacing (the client's ``requests_per_second``): ``--rate-limit N`` > ``ROSSUM_IAC_RATE_LIMIT`` > the
default, which is the client's (10 requests/s, the API's documented limit) for a remote API and no pacing for
``--emulator``: the embedded emulator runs in this process, has no rate limit, and pacing would only slow local
work down. ``0`` turns pacing off. An emulator started separately (``emulator serve``, maybe with its own
``--rate-limit``) is reached by ``--base-url`` and paced like any API.

Usage in a command::

    @click.command()
    @api_target_options
    @handle_errors
    def cmd(target_options: TargetOptions, ...):
        with api_target(target_options) as target:
            result = run_with_client(target, lambda client: do_something(client))
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from rossum_iac.errors import TargetError, UsageError
from rossum_iac.manifest.model import Stack

DEFAULT_EMULATOR_DB = Path(".rossum-iac") / "emulator.sqlite3"
_EMULATOR_DEFAULT_MARK = "\x00default"
RATE_LIMIT_ENV = "ROSSUM_IAC_RATE_LIMIT"
DEFAULT_MAX_IN_FLIGHT = 16
"""The client's own default (``max_in_flight_requests``); not imported from it, so that loading this module (every
API command's ``--help``) does not import the client."""

T = TypeVar("T")


@dataclass(frozen=True)
class TargetOptions:
    base_url: str | None = None
    emulator_db: str | None = None
    """``None``: no emulator; a path (or ``:memory:``) for ``--emulator``."""
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    """Requests of the client in flight at once (``apply --parallelism N`` raises it to N)."""
    rate_limit: float | None = None
    """``--rate-limit``: requests per second, 0 = no pacing; ``None``: ``ROSSUM_IAC_RATE_LIMIT`` or the default."""
    env: str | None = None
    """``--env`` of the commands that take no manifests (documents, annotations, tasks): the environment of the
    stack in ``manifests`` gives the URL and names the credentials."""
    manifests: str | None = None


@dataclass(frozen=True)
class Target:
    """A resolved API target. ``credentials`` is a client credentials object (``Token``/``UserCredentials``)."""

    base_url: str
    credentials: Any
    source: str
    """Where the URL came from, for messages (``--base-url``, ``ROSSUM_API_BASE_URL``, ``emulator (path)``)."""
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    emulator: Any = None
    """The running emulator handle when ``--emulator`` is used."""
    requests_per_second: float | None = None
    """The client's pacing (``None``: none); see the module docstring."""


def api_target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--base-url`` and ``--emulator [DB]``; the command receives ``target_options: TargetOptions``."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        base_url = kwargs.pop("base_url", None)
        emulator_db = kwargs.pop("emulator_db", None)
        if emulator_db == _EMULATOR_DEFAULT_MARK:
            emulator_db = str(DEFAULT_EMULATOR_DB)
        elif emulator_db is not None and Path(emulator_db).is_dir():
            from rossum_iac.cli.errors import fail

            fail(
                f"--emulator {emulator_db}: that is a directory; give a database file, or put --emulator after the "
                "manifests directory"
            )
        rate_limit = kwargs.pop("rate_limit", None)
        kwargs["target_options"] = TargetOptions(base_url=base_url, emulator_db=emulator_db, rate_limit=rate_limit)
        return func(*args, **kwargs)

    wrapper = click.option(
        "--emulator",
        "emulator_db",
        is_flag=False,
        flag_value=_EMULATOR_DEFAULT_MARK,
        default=None,
        metavar="[DB]",
        help=f"Use the local emulator, started in this process, with its state in DB "
        f"(default {DEFAULT_EMULATOR_DB}; ':memory:' for a throw-away one).",
    )(wrapper)
    wrapper = click.option(
        "--rate-limit",
        metavar="N",
        type=click.FloatRange(min=0),
        default=None,
        help=f"Requests per second sent to the API, 0 = no limit (else {RATE_LIMIT_ENV}; default 10, the API's "
        "documented limit, and no limit with --emulator). A 429 answer slows down further and is retried.",
    )(wrapper)
    wrapper = click.option(
        "--base-url",
        metavar="URL",
        default=None,
        help="API base URL, e.g. https://example.rossum.app/api/v1 (else the environment file's api_base_url, "
        "ROSSUM_API_BASE_URL or ROSSUM_URL). Credentials: ROSSUM_API_TOKEN, or ROSSUM_USERNAME and ROSSUM_PASSWORD.",
    )(wrapper)
    return wrapper


def _environment_credentials(stack: Stack, environ: Mapping[str, str]) -> tuple[Any, str] | None:
    """The credentials the selected environment names (None: it names none and may use the general ones)."""
    from rossum_iac.client import Token, UserCredentials

    env = stack.environment
    if env is None:
        return None
    named = env.credentials
    if not named:
        if len(stack.environments) > 1:
            variable = f"ROSSUM_{env.name.upper().replace('-', '_')}_TOKEN"
            raise TargetError(
                f"environment {env.name!r} does not say where its credentials come from, and this stack defines "
                f"{len(stack.environments)} environments: add 'token_env: {variable}' (or username_env and "
                f"password_env) to it and set {variable}, so one environment's token is never sent to another's host"
            )
        return None
    if "token_env" in named:
        token = environ.get(named["token_env"])
        if not token:
            raise TargetError(
                f"environment {env.name!r} takes its API token from {named['token_env']}, which is not set"
            )
        return Token(token), named["token_env"]
    username, password = environ.get(named["username_env"]), environ.get(named["password_env"])
    if not username or not password:
        missing = named["username_env"] if not username else named["password_env"]
        raise TargetError(f"environment {env.name!r} takes its credentials from {missing}, which is not set")
    return UserCredentials(username, password), f"{named['username_env']}/{named['password_env']}"


def environment_target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``api_target_options`` plus ``--env NAME`` and ``--manifests DIR``, for commands that take no manifests:
    the environment's ``api_base_url`` and credentials come from that stack (nothing else of it is loaded)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        env, manifests = kwargs.pop("env", None), kwargs.pop("manifests", None)
        options: TargetOptions = kwargs["target_options"]
        kwargs["target_options"] = dataclasses.replace(options, env=env, manifests=manifests)
        return func(*args, **kwargs)

    wrapped = api_target_options(wrapper)
    wrapped = click.option(
        "--manifests",
        metavar="DIR",
        default=None,
        help="The stack whose --env to use (default: the current directory).",
    )(wrapped)
    return click.option(
        "--env",
        metavar="NAME",
        default=None,
        help="Use this environment of the stack in --manifests: its api_base_url and the credentials it names.",
    )(wrapped)


def _environment_of(options: TargetOptions) -> Stack | None:
    """The stack's environment for ``--env`` (commands without manifests), or None."""
    if options.env is None:
        if options.manifests is not None:
            raise UsageError("--manifests is only used together with --env NAME")
        return None
    from rossum_iac.manifest.loader import load_environment

    return load_environment(Path(options.manifests or "."), options.env)


def _credentials(environ: Mapping[str, str]) -> tuple[Any, str]:
    from rossum_iac.client import Token, UserCredentials

    for name in ("ROSSUM_API_TOKEN", "ROSSUM_TOKEN"):
        if environ.get(name):
            return Token(environ[name]), name
    username, password = environ.get("ROSSUM_USERNAME"), environ.get("ROSSUM_PASSWORD")
    if username and password:
        return UserCredentials(username, password), "ROSSUM_USERNAME/ROSSUM_PASSWORD"
    if username or password:
        missing = "ROSSUM_PASSWORD" if username else "ROSSUM_USERNAME"
        raise TargetError(f"ROSSUM_USERNAME and ROSSUM_PASSWORD go together: {missing} is not set")
    raise TargetError(
        "no API credentials: set ROSSUM_API_TOKEN (or ROSSUM_USERNAME and ROSSUM_PASSWORD), "
        "or use --emulator for the local emulator"
    )


def _requests_per_second(options: TargetOptions, environ: Mapping[str, str], emulator: bool) -> float | None:
    """The client's pacing: ``--rate-limit`` > ``ROSSUM_IAC_RATE_LIMIT`` > the default (none for the emulator)."""
    from rossum_iac.client._core.pacing import DEFAULT_REQUESTS_PER_SECOND

    if options.rate_limit is not None:
        value, source = options.rate_limit, "--rate-limit"
    elif environ.get(RATE_LIMIT_ENV, "").strip():
        source = RATE_LIMIT_ENV
        try:
            value = float(environ[RATE_LIMIT_ENV])
        except ValueError:
            value = math.nan
    else:
        return None if emulator else DEFAULT_REQUESTS_PER_SECOND
    if not math.isfinite(value) or value < 0:
        shown = environ[RATE_LIMIT_ENV].strip() if source == RATE_LIMIT_ENV else value
        raise UsageError(f"{source} must be a number of requests per second >= 0 (0 = no limit), got {shown!r}")
    return value or None


def _check_url(url: str, source: str) -> str:
    from rossum_iac.manifest.stackfile import api_url_problem

    url = url.strip()
    problem = api_url_problem(url)
    if problem is not None:
        raise TargetError(f"{source}: {problem}")
    return url.rstrip("/")


@contextmanager
def api_target(
    options: TargetOptions,
    *,
    env_base_url: str | None = None,
    env_name: str | None = None,
    stack: Stack | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[Target]:
    """Resolve the target (starting the emulator for ``--emulator``) for the duration of the ``with`` block.

    ``stack``: the loaded manifests, whose environment (``--env``) gives the URL and names the credentials."""
    environ = os.environ if environ is None else environ
    stack = stack or _environment_of(options)
    if stack is not None and stack.environment is not None:
        env_base_url = env_base_url or stack.environment.api_base_url
        env_name = env_name or stack.environment.name
    if options.emulator_db is not None:
        if options.base_url:
            raise UsageError("--emulator and --base-url exclude each other")
        db = options.emulator_db
        rate = _requests_per_second(options, environ, emulator=True)
        with _start_emulator(db) as emu:
            from rossum_iac.client import Token

            yield Target(emu.base_url, Token(emu.token), f"emulator ({db})", options.max_in_flight, emu, rate)
        return
    if options.base_url:
        url, source = _check_url(options.base_url, "--base-url"), "--base-url"
    elif env_base_url:
        label = f"environment {env_name!r}" if env_name else "the environment file"
        url, source = _check_url(env_base_url, f"api_base_url of {label}"), f"api_base_url of {label}"
    elif environ.get("ROSSUM_API_BASE_URL"):
        url, source = _check_url(environ["ROSSUM_API_BASE_URL"], "ROSSUM_API_BASE_URL"), "ROSSUM_API_BASE_URL"
    elif environ.get("ROSSUM_URL"):
        url, source = _check_url(environ["ROSSUM_URL"], "ROSSUM_URL"), "ROSSUM_URL"
    else:
        raise TargetError(
            "no API to talk to: pass --base-url URL (or set ROSSUM_API_BASE_URL, or api_base_url in the environment "
            "file), or use --emulator for the local emulator"
        )
    named = _environment_credentials(stack, environ) if stack is not None else None
    credentials, _ = named if named is not None else _credentials(environ)
    yield Target(
        url,
        credentials,
        source,
        options.max_in_flight,
        requests_per_second=_requests_per_second(options, environ, emulator=False),
    )


@contextmanager
def _start_emulator(db: str) -> Iterator[Any]:
    """The in-process emulator for ``--emulator DB``; a database it cannot use is a usage error naming ``DB``."""
    import sqlite3

    from rossum_iac.emulator import serve_in_thread

    if db != ":memory:":
        try:
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--emulator {db}: cannot create its directory ({exc.strerror or exc})") from None
    with ExitStack() as stack:
        try:
            emu = stack.enter_context(serve_in_thread(db=db))
        except sqlite3.Error as exc:
            raise UsageError(f"--emulator {db}: cannot use it as the emulator's SQLite database ({exc})") from None
        yield emu


def run_with_client(target: Target, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(client)`` with an ``AsyncRossumAPIClient`` for ``target`` in a fresh event loop.

    The result is handed back outside the coroutine: ``asyncio.run`` (Python 3.11/3.12) formats the ``repr`` of a
    main coroutine's result when it restores the Ctrl-C handler, which for a plan of thousands of objects cost as
    much as planning itself."""
    from rossum_iac.client import AsyncRossumAPIClient

    results: list[T] = []

    async def main() -> None:
        async with AsyncRossumAPIClient(
            target.base_url,
            target.credentials,
            max_in_flight_requests=target.max_in_flight,
            requests_per_second=target.requests_per_second,
        ) as client:
            results.append(await work(client))

    asyncio.run(main())
    return results[0]
