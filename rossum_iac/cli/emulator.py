"""``rossum-iac emulator serve``: run the local Rossum API emulator in the foreground."""

from __future__ import annotations

import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from rossum_iac.cli.errors import handle_errors
from rossum_iac.errors import UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.group("emulator")
def emulator() -> None:
    """A local Rossum API (HTTP on loopback, state in SQLite) for trying things out and for tests."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless you say so).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 = any free port.")
@click.option("--db", "db", default=":memory:", show_default=True, help="SQLite file (kept across runs) or :memory:.")
@click.option("--latency-ms", default=0.0, type=click.FloatRange(min=0), help="Delay added to every response.")
@click.option(
    "--fault-rate", default=0.0, type=click.FloatRange(0.0, 1.0), help="Share of requests answered by a fault."
)
@click.option("--rate-limit", default=None, type=click.IntRange(min=1), help="Requests per second before 429.")
@click.option("--seed", default=0, type=int, help="Seed of the fault generator.")
@click.option("--username", default=None, help="Admin username (default admin@example.com).")
@click.option("--password", default=None, help="Admin password (default admin).")
@click.option("--token", default=None, help="Fixed API token of the admin (40 hex digits by default).")
@click.option(
    "--verbose", is_flag=True, help="Log every request on stderr: method, path, status and duration (no headers)."
)
@handle_errors
def serve(
    host: str,
    port: int,
    db: str,
    latency_ms: float,
    fault_rate: float,
    rate_limit: int | None,
    seed: int,
    username: str | None,
    password: str | None,
    token: str | None,
    verbose: bool,
) -> None:
    """Run the emulator until interrupted (Ctrl-C). Prints its base URL and the seeded credentials."""
    from rossum_iac.emulator import DEFAULT_PASSWORD, DEFAULT_TOKEN, DEFAULT_USERNAME, create_server

    if db != ":memory:":
        parent = Path(db).expanduser().resolve().parent
        if not parent.is_dir():
            raise UsageError(f"--db {db}: directory {parent} does not exist")
        if Path(db).expanduser().is_dir():
            raise UsageError(f"--db {db}: that is a directory; give the SQLite database file to use")
    if token is not None and (len(token) < 20 or any(c.isspace() for c in token)):
        raise UsageError("--token must be at least 20 characters without spaces")
    if host not in LOOPBACK:
        click.echo(
            f"Warning: binding to {host}: the emulator is reachable from other machines and has no real security.",
            err=True,
        )
    try:
        handle = create_server(
            db,
            host=host,
            port=port,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            rate_limit=rate_limit,
            seed=seed,
            username=username or DEFAULT_USERNAME,
            password=password or DEFAULT_PASSWORD,
            token=token or DEFAULT_TOKEN,
            verbose=verbose,
        )
    except sqlite3.Error as exc:
        raise UsageError(f"--db {db}: cannot use it as the emulator's SQLite database ({exc})") from None
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"Rossum API emulator listening on {handle.base_url}")
    click.echo(f"  username: {handle.username}")
    click.echo(f"  password: {handle.password}")
    click.echo(f"  token:    {handle.token}  (the emulator's own development token)")
    click.echo(f"  database: {db}")
    click.echo(f"  try: curl -H 'Authorization: Bearer {handle.token}' {handle.base_url}/queues")
    click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        handle.server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("Stopping.", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        handle.stop()
