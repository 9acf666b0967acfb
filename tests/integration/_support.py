"""Support of the integration suite (no tests here): both client flavours against a live emulator.

* ``ClientAPI`` wraps an ``AsyncRossumAPIClient`` or a ``SyncRossumAPIClient`` behind one awaitable surface:
  ``await api.list_queues(...)`` awaits a coroutine / drains an async iterator (async flavour) or calls the
  method and drains a generator (sync flavour). Every public method called through it is recorded in
  ``api.called``, so the suite can prove that it calls every public method of both clients.
* ``@scenario`` marks a test as part of that proof: when it passes, the methods it called are stored in
  ``COMPLETED`` per (scenario, flavour); ``test_method_coverage`` combines them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rossum_iac.client import AsyncRossumAPIClient, SyncRossumAPIClient, UserCredentials

FLAVOURS = ("async", "sync")
CLIENT_CLASSES: dict[str, type] = {"async": AsyncRossumAPIClient, "sync": SyncRossumAPIClient}
FAST_RETRIES = {"retry_backoff_factor": 0.01, "retry_max_jitter": 0.0}
IMPORT_DELAY_S = 0.05  # emulator setting: how long a new annotation stays "importing"

SCHEMA_CONTENT: list[dict[str, Any]] = [
    {
        "category": "section",
        "id": "invoice_section",
        "label": "Invoice",
        "children": [
            {
                "category": "datapoint",
                "id": "invoice_id",
                "label": "Invoice number",
                "type": "string",
                "rir_field_names": ["upload:invoice_id", "emails_import:invoice_id", "document_id"],
            },
            {"category": "datapoint", "id": "amount_total", "label": "Total", "type": "number"},
            {
                "category": "multivalue",
                "id": "line_items",
                "label": "Items",
                "children": {
                    "category": "tuple",
                    "id": "line_item",
                    "label": "Item",
                    "children": [
                        {"category": "datapoint", "id": "item_description", "label": "Description", "type": "string"},
                        {"category": "datapoint", "id": "item_amount", "label": "Amount", "type": "number"},
                    ],
                },
            },
        ],
    }
]

PDF_BYTES = b"%PDF-1.4\n% rossum-iac integration test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


async def drain(result: Any) -> Any:
    """Await a coroutine, drain an (async) iterator into a list, or return a plain value."""
    if inspect.isawaitable(result):
        result = await result
    if inspect.isasyncgen(result):
        return [item async for item in result]
    if inspect.isgenerator(result):
        return list(result)
    return result


def find_node(content: list[dict[str, Any]], schema_id: str) -> dict[str, Any]:
    """The first node with ``schema_id`` in an annotation content tree (depth first)."""
    for node in content:
        if node.get("schema_id") == schema_id:
            return node
        children = node.get("children")
        if isinstance(children, list):
            try:
                return find_node(children, schema_id)
            except LookupError:
                pass
    raise LookupError(f"no node {schema_id!r} in the content")


def id_of(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[-1])


def public_methods(cls: type) -> set[str]:
    """Names of the public methods of a client class (properties such as ``base_url`` excluded)."""
    return {
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (inspect.isfunction(member) or inspect.ismethod(member))
    }


@dataclass
class ClientAPI:
    """One client of one flavour plus the emulator it talks to; see the module docstring."""

    flavour: str
    client: Any
    emu: Any
    tmp_path: Path
    called: set[str] = field(default_factory=set)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self.client, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(f"{name} is not a public client method; use api.client.{name}")

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.called.add(name)
            return await drain(method(*args, **kwargs))

        return call

    async def make_queue(self, name: str = "Invoices", **queue_fields: Any) -> tuple[Any, Any, Any]:
        """A workspace, a schema (``SCHEMA_CONTENT``) and a queue using them: ``(workspace, schema, queue)``."""
        org = await self.retrieve_own_organization()
        workspace = await self.create_new_workspace({"name": f"{name} WS", "organization": org.url})
        schema = await self.create_new_schema({"name": f"{name} schema", "content": SCHEMA_CONTENT})
        queue = await self.create_new_queue(
            {"name": name, "workspace": workspace.url, "schema": schema.url, **queue_fields}
        )
        return workspace, schema, queue

    def new_client(self, **kwargs: Any) -> Any:
        """Another client of the same flavour against the same emulator (closed by the caller)."""
        return make_client(self.flavour, self.emu, **kwargs)

    def file(self, name: str, data: bytes = PDF_BYTES) -> Path:
        path = self.tmp_path / name
        path.write_bytes(data)
        return path


def make_client(flavour: str, emu: Any, credentials: Any = None, **kwargs: Any) -> Any:
    """A client logging in with the emulator's seeded admin credentials (real HTTP, 10 s timeout). No pacing
    unless asked for: the emulator has no rate limit unless a test sets one (test_pacing.py covers pacing), and
    10 requests/s would make the suite ten times slower."""
    kwargs.setdefault("timeout", 10.0)
    kwargs.setdefault("requests_per_second", 0)
    return CLIENT_CLASSES[flavour](emu.base_url, credentials or UserCredentials(emu.username, emu.password), **kwargs)


# -- scenario registry -----------------------------------------------------------------------------------------

Scenario = Callable[[ClientAPI], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}
COMPLETED: dict[tuple[str, str], frozenset[str]] = {}
FAILED: dict[tuple[str, str], str] = {}


def scenario(func: Scenario) -> Scenario:
    """Register a test taking only ``api`` as a method-coverage scenario (see the module docstring)."""
    name = f"{func.__module__.rsplit('.', 1)[-1]}::{func.__name__}"

    @functools.wraps(func)
    async def wrapper(api: ClientAPI) -> None:
        try:
            await func(api)
        except BaseException as exc:
            FAILED[(name, api.flavour)] = f"{type(exc).__name__}: {exc}"[:500]
            raise
        COMPLETED[(name, api.flavour)] = frozenset(api.called)

    if name in SCENARIOS:
        raise ValueError(f"scenario {name} registered twice")
    SCENARIOS[name] = wrapper
    return wrapper
