"""One apply per stack at a time: a lease recorded in the organization's metadata.

The API has no lock and no compare-and-set, so this is the best that can be built on it:

- ``metadata.rossum_iac.leases[stack] = {holder, token, expires, acquired}``, written before any other write of an
  apply (``pull --adopt`` and ``import`` too), renewed while it runs and removed at the end.
- A live lease of the same stack held by someone else stops the run with a message naming the holder and the
  expiry; an expired one is taken over; ``--force-unlock`` breaks a live one (as Terraform's ``force-unlock``).
- Two runs that read "no lease" at the same moment both write one, and the later write wins. Each run therefore
  waits a moment after writing (a few round trips) and reads again: a run that no longer finds its own token lost
  the race and stops before writing anything else. The winner checks again at every renewal.
- Whatever slips past it (a run that stalled longer than its lease): duplicates are found after the creates (see
  ``executor``), and the newer copy is deleted by the run that made it.
- Releasing is retried (a read and a write of the organization, safe to repeat): a run that fails part-way under
  network or server errors should not leave its lease for the next run to trip over. When it still cannot be
  released, ``release`` raises ``LeaseReleaseError`` naming the expiry (the executor reports it after the
  per-object results instead of losing them); when the block itself failed, that error is the one raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rossum_iac import __version__
from rossum_iac.engine.errors import EngineError
from rossum_iac.engine.live import APIClient
from rossum_iac.engine.orgmeta import OrganizationMetadata
from rossum_iac.kinds import MARKER_KEY

LEASE_SECONDS = 300.0
RENEW_SECONDS = 60.0
MIN_SETTLE_SECONDS = 0.5
MAX_SETTLE_SECONDS = 3.0
SETTLE_ROUND_TRIPS = 5
"""After writing its lease, a run waits this many of its own read-and-write round trips (within the bounds above)
before reading it back: long enough for another run that read "no lease" at the same moment to have written its
own, even on a loaded machine."""
RELEASE_ATTEMPTS = 3
RELEASE_BACKOFF_SECONDS = 0.5


class LeaseHeldError(EngineError):
    """Another run holds the stack's lease."""


class LeaseReleaseError(EngineError):
    """The run's own lease could not be removed at its end; it stays until it expires."""


@dataclass(frozen=True)
class LeaseInfo:
    holder: str
    token: str
    expires: datetime
    acquired: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "holder": self.holder,
            "token": self.token,
            "expires": _iso(self.expires),
            "acquired": _iso(self.acquired),
        }

    @classmethod
    def parse(cls, value: Any) -> LeaseInfo | None:
        if not isinstance(value, Mapping):
            return None
        try:
            return cls(
                str(value["holder"]),
                str(value["token"]),
                _parse_time(value["expires"]),
                _parse_time(value.get("acquired") or value["expires"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def describe(self) -> str:
        return f"{self.holder} (since {_iso(self.acquired)}, until {_iso(self.expires)})"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_time(text: Any) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def default_holder() -> str:
    """Who takes the lease, for the message another run shows: user, host, process, tool version."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    ci = os.environ.get("GITHUB_RUN_ID") or os.environ.get("CI_JOB_ID")
    where = f" CI job {ci}" if ci else ""
    return f"{user}@{socket.gethostname()} pid {os.getpid()}{where} (rossum-iac {__version__})"


def leases(metadata: Mapping[str, Any]) -> dict[str, Any]:
    raw = metadata.get(MARKER_KEY)
    found = raw.get("leases") if isinstance(raw, Mapping) else None
    return dict(found) if isinstance(found, Mapping) else {}


def set_lease(metadata: dict[str, Any], stack: str, lease: LeaseInfo | None) -> None:
    raw = dict(metadata.get(MARKER_KEY) or {})
    held = dict(raw.get("leases") or {})
    if lease is None:
        held.pop(stack, None)
    else:
        held[stack] = lease.to_json()
    if held:
        raw["leases"] = held
    else:
        raw.pop("leases", None)
    metadata[MARKER_KEY] = raw


class Lease:
    """``async with Lease(...)``: hold the stack's lease for the duration of the block."""

    def __init__(
        self,
        client: APIClient,
        stack: str,
        org_metadata: OrganizationMetadata,
        *,
        force: bool = False,
        holder: str | None = None,
        seconds: float = LEASE_SECONDS,
        renew_every: float = RENEW_SECONDS,
    ) -> None:
        self.client = client
        self.stack = stack
        self.org = org_metadata
        self.force = force
        self.holder = holder or default_holder()
        self.seconds = seconds
        self.renew_every = renew_every
        self.token = secrets.token_hex(16)
        self.lost: str | None = None
        """Set when a renewal finds the lease taken: the run must stop writing."""
        self._renewal: asyncio.Task[None] | None = None

    def _mine(self) -> LeaseInfo:
        now = datetime.now(UTC)
        return LeaseInfo(self.holder, self.token, now + timedelta(seconds=self.seconds), now)

    def _current(self, organization: Mapping[str, Any]) -> LeaseInfo | None:
        metadata = organization.get("metadata")
        return LeaseInfo.parse(leases(metadata if isinstance(metadata, Mapping) else {}).get(self.stack))

    async def __aenter__(self) -> Lease:
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is not None:  # the block's error is the one to report
            await self._forget_quietly()
            return
        await self.release()

    async def acquire(self) -> None:
        started = time.monotonic()
        held: list[LeaseInfo] = []

        def take(metadata: dict[str, Any]) -> bool:
            current = LeaseInfo.parse(leases(metadata).get(self.stack))
            live = current is not None and current.token != self.token and current.expires > datetime.now(UTC)
            if live and current is not None and not self.force:
                held.append(current)
                return False
            set_lease(metadata, self.stack, self._mine())
            return True

        try:
            await self.org.update(take)
        except Exception:
            await self._forget_quietly()  # the write may have reached the server: do not leave a lease behind
            raise
        if held:
            raise LeaseHeldError(
                f"stack {self.stack!r} is being applied by {held[0].describe()}; wait for it to finish, or, if that "
                "run is gone, break its lease with --force-unlock"
            )
        # Another run that read "no lease" at the same moment wrote one too; the later write wins. Wait a few round
        # trips (how long a read-then-write of another run can take), then check that ours is the one recorded.
        round_trip = time.monotonic() - started
        try:
            await asyncio.sleep(min(MAX_SETTLE_SECONDS, max(MIN_SETTLE_SECONDS, SETTLE_ROUND_TRIPS * round_trip)))
            current = self._current(await self.org.read())
        except BaseException:
            await self._forget_quietly()  # ours was written: do not leave it behind
            raise
        if current is None or current.token != self.token:
            holder = current.describe() if current is not None else "another run"
            raise LeaseHeldError(
                f"stack {self.stack!r}: another apply took the lease at the same moment ({holder}); nothing was "
                "changed by this run"
            )
        self._renewal = asyncio.create_task(self._renew_forever())

    async def _forget_quietly(self) -> None:
        with contextlib.suppress(Exception):  # else it expires by itself
            await self.release()

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                await self.renew()
            except Exception:  # a failed renewal is retried at the next interval; the lease has minutes left
                continue

    async def renew(self) -> None:
        def extend(metadata: dict[str, Any]) -> bool:
            current = LeaseInfo.parse(leases(metadata).get(self.stack))
            if current is None or current.token != self.token:
                self.lost = current.describe() if current is not None else "nobody (it was removed)"
                return False
            set_lease(metadata, self.stack, self._mine())
            return True

        await self.org.update(extend)

    async def release(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
            await asyncio.gather(self._renewal, return_exceptions=True)

        def drop(metadata: dict[str, Any]) -> bool:
            current = LeaseInfo.parse(leases(metadata).get(self.stack))
            if current is not None and current.token != self.token and self.lost is None:
                self.lost = current.describe()  # another run wrote its lease over ours meanwhile
            if current is None or current.token != self.token:
                return False
            set_lease(metadata, self.stack, None)
            return True

        for attempt in range(1, RELEASE_ATTEMPTS + 1):
            try:
                await self.org.update(drop)
                return
            except Exception as exc:
                if attempt == RELEASE_ATTEMPTS:
                    raise LeaseReleaseError(self._release_failed(exc)) from None
                await asyncio.sleep(RELEASE_BACKOFF_SECONDS * 2 ** (attempt - 1))

    def _release_failed(self, exc: Exception) -> str:
        from rossum_iac.engine.runners import describe_error

        expires = _iso(datetime.now(UTC) + timedelta(seconds=self.seconds))
        return (
            f"the lease of stack {self.stack!r} could not be released ({describe_error(exc)}); it expires by "
            f"{expires}: until then another apply of this stack stops, naming this run (use --force-unlock once "
            "no other apply is running)"
        )
