"""Reading the live organization: list endpoints only, all collections concurrently.

A plan costs ``2 + sum over collections of ceil(objects / page_size)`` requests (plus a login when username and
password are used): ``auth/user``, the organization (it holds the ownership registries of kinds without metadata)
and the list pages. Nothing is fetched per object. Concurrency is bounded by the client's
``max_in_flight_requests``. A ``singleton`` kind (the organization itself) is not listed: its one object is the
organization already read.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rossum_iac.engine.fingerprint import fingerprint
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KIND_NAMES, KINDS


class APIClient(Protocol):
    """The generic part of ``rossum_iac.client.AsyncRossumAPIClient`` the engine relies on."""

    def request_paginated(self, url: str, **filters: Any) -> Any: ...

    async def request_json(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class LiveObject:
    kind: str
    data: Mapping[str, Any]

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def url(self) -> str:
        return str(self.data.get("url") or f"{KINDS[self.kind].collection}/{self.id}")

    @property
    def tail(self) -> str:
        return f"{KINDS[self.kind].collection}/{self.id}"

    @property
    def name(self) -> str | None:
        name = self.data.get(KINDS[self.kind].name_field)
        return name if isinstance(name, str) else None

    @property
    def metadata(self) -> Mapping[str, Any]:
        metadata = self.data.get("metadata")
        return metadata if isinstance(metadata, Mapping) else {}

    @property
    def is_deleting(self) -> bool:
        """An object scheduled for deletion (a queue), or deleted but still listed (a soft-deleted user): it no
        longer counts as an existing object."""
        kind = KINDS[self.kind]
        if kind.soft_delete is not None:
            return bool(self.data.get(kind.soft_delete))
        if not kind.scheduled_delete:
            return False
        status = self.data.get("status")
        return bool(self.data.get("delete_after")) or status not in (None, "active")

    def describe(self) -> str:
        """``queue 'Invoices' (queues/12)`` for messages."""
        label = KINDS[self.kind].describe()
        return f"{label} {self.name!r} ({self.tail})" if self.name else f"{label} {self.tail}"

    @functools.cached_property
    def fingerprint_value(self) -> str:
        return fingerprint(self.kind, self.data)

    def fingerprint(self) -> str:
        return self.fingerprint_value


@dataclass
class LiveState:
    organization: Mapping[str, Any]
    objects: dict[str, list[LiveObject]] = field(default_factory=dict)
    catalogs: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    """Read-only API catalogues the kinds name entries of (``hook_templates``), by collection."""
    _by_tail: dict[str, LiveObject] | None = field(default=None, repr=False)

    def catalog_urls(self) -> dict[str, dict[str, str]]:
        """collection -> entry name -> URL (the first entry of a name, in id order)."""
        out: dict[str, dict[str, str]] = {}
        for collection, entries in self.catalogs.items():
            names: dict[str, str] = {}
            for entry in sorted(entries, key=lambda e: int(e.get("id") or 0)):
                if isinstance(entry.get("name"), str) and isinstance(entry.get("url"), str):
                    names.setdefault(entry["name"], entry["url"])
            out[collection] = names
        return out

    def of_kind(self, kind: str) -> list[LiveObject]:
        return self.objects.get(kind, [])

    def with_objects(self, objects: Mapping[str, list[LiveObject]]) -> LiveState:
        """This state with the objects of more kinds (read later)."""
        return LiveState(self.organization, {**self.objects, **objects}, self.catalogs)

    def __iter__(self) -> Iterator[LiveObject]:
        for kind in KIND_NAMES:
            yield from self.objects.get(kind, [])

    def get(self, url_or_tail: str) -> LiveObject | None:
        if self._by_tail is None:
            self._by_tail = {obj.tail: obj for obj in self}
        return self._by_tail.get(url_tail(url_or_tail))

    @property
    def organization_tail(self) -> str:
        return f"organizations/{self.organization.get('id')}"

    def fingerprints(self) -> Fingerprints:
        return Fingerprints(list(self))

    @classmethod
    def from_lists(cls, organization: Mapping[str, Any], lists: Mapping[str, Iterable[Mapping[str, Any]]]) -> LiveState:
        """Build from raw API dicts, keyed by kind name (for tests and for re-use of fetched data)."""
        return cls(organization, {kind: [LiveObject(kind, d) for d in lists.get(kind, ())] for kind in KIND_NAMES})


class Fingerprints(Mapping[str, str]):
    """``collection/id`` -> fingerprint of each of the objects given (those read), computed when first looked at:
    plan files and ``--json`` show them, a plan rendered as text does not need them."""

    def __init__(self, objects: list[LiveObject]) -> None:
        self._objects = objects
        self._by_tail: dict[str, str] | None = None

    def _computed(self) -> dict[str, str]:
        if self._by_tail is None:
            self._by_tail = {obj.tail: obj.fingerprint() for obj in self._objects}
        return self._by_tail

    def __getitem__(self, tail: str) -> str:
        return self._computed()[tail]

    def __iter__(self) -> Iterator[str]:
        return iter(self._computed())

    def __len__(self) -> int:
        return len(self._computed())

    def __repr__(self) -> str:
        return repr(self._computed())


async def read_organization(client: APIClient) -> dict[str, Any]:
    user = await client.request_json("GET", "auth/user")
    org_url = user.get("organization")
    if not isinstance(org_url, str):
        raise ValueError("the API did not say which organization the user belongs to (auth/user)")
    return dict(await client.request_json("GET", url_tail(org_url)))


async def read_collection(client: APIClient, kind: str) -> list[LiveObject]:
    spec = KINDS[kind]
    return [LiveObject(kind, item) async for item in client.request_paginated(spec.collection)]


async def gather_or_cancel(*aws: Awaitable[Any]) -> list[Any]:
    """``asyncio.gather`` that, when one awaitable fails, cancels the others and waits for them before raising.

    Plain ``gather`` leaves the others running: the client is then closed under them and the interpreter reports
    half-open connections (``coroutine ... was never awaited``) after the error message.
    """
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def read_catalog(client: APIClient, collection: str) -> list[Mapping[str, Any]]:
    return [dict(item) async for item in client.request_paginated(collection)]


async def read_live(
    client: APIClient, kinds: Iterable[str] = KIND_NAMES, catalogs: Iterable[str] | None = None
) -> LiveState:
    """The organization, every object of the given kinds and the catalogues they name entries of (or
    ``catalogs``), read concurrently."""
    kinds = tuple(kinds)
    singletons = tuple(kind for kind in kinds if KINDS[kind].singleton)
    listed = tuple(kind for kind in kinds if kind not in singletons)
    catalogs = sorted({c for kind in kinds for c in KINDS[kind].catalogs} if catalogs is None else set(catalogs))
    results = await gather_or_cancel(
        read_organization(client),
        *(read_collection(client, kind) for kind in listed),
        *(read_catalog(client, collection) for collection in catalogs),
    )
    org = results[0]
    objects = {kind: list(items) for kind, items in zip(listed, results[1 : 1 + len(listed)], strict=True)}
    for kind in singletons:
        objects[kind] = [LiveObject(kind, org)]
    read = dict(zip(catalogs, results[1 + len(listed) :], strict=True))
    return LiveState(org, objects, read)
