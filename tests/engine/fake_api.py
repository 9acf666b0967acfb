"""A tiny in-memory stand-in for the API client's generic methods, for executor unit tests.

It stores what is sent (plus a few server defaults), records every request, and can fail chosen requests. The real
behaviour is tested against the emulator in tests/e2e.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from typing import Any

from rossum_iac.client.errors import APIClientError, APITransportError

BASE = "http://127.0.0.1:9/api/v1"
COLLECTIONS = (
    "workspaces",
    "schemas",
    "connectors",
    "queues",
    "inboxes",
    "hooks",
    "email_templates",
    "rules",
    "hook_templates",
    "users",
    "groups",
    "labels",
    "triggers",
    "engines",
    "dedicated_engines",
    "generic_engines",
)
NO_METADATA = ("email_templates", "rules", "labels", "triggers", "engines", "dedicated_engines")
DEFAULT_TEMPLATES = [
    ("Annotation status change - confirmed", "custom"),
    ("Annotation status change - exported", "custom"),
    ("Annotation status change - received", "custom"),
    ("Default rejection template", "rejection_default"),
    ("Email with no processable attachments", "email_with_no_processable_attachments"),
]


class FakeAPI:
    def __init__(self) -> None:
        self.data: dict[str, dict[int, dict[str, Any]]] = {c: {} for c in COLLECTIONS}
        self.org: dict[str, Any] = {"id": 1, "url": f"{BASE}/organizations/1", "name": "Fake", "metadata": {}}
        self.next_id = 100
        self.log: list[tuple[str, str]] = []
        self.fail: Callable[[str, str, dict[str, Any] | None], BaseException | None] = lambda m, u, b: None
        self.after: Callable[[str, str, dict[str, Any] | None], BaseException | None] = lambda m, u, b: None
        self.normalize: Callable[[str, dict[str, Any]], None] = lambda collection, obj: None
        """Changes a stored object the way a server might (defaults, normalised values)."""

    def writes(self) -> list[tuple[str, str]]:
        return [(m, u) for m, u in self.log if m != "GET"]

    async def request_paginated(self, url: str, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        self.log.append(("GET", url))
        for obj in list(self.data[url].values()):
            yield copy.deepcopy(obj)

    async def request_json(self, method: str, url: str, params: Any = None, json: Any = None) -> Any:
        self.log.append((method, url))
        error = self.fail(method, url, json)
        if error is not None:
            raise error
        result = self._handle(method, url, json)
        error = self.after(method, url, json)
        if error is not None:
            raise error
        return copy.deepcopy(result)

    def _handle(self, method: str, url: str, body: Any) -> Any:
        parts = url.split("/")
        if url == "auth/user":
            return {"id": 1, "organization": self.org["url"]}
        if parts[0] == "organizations":
            if method == "PATCH":
                self.org.update(body)
            return self.org
        collection = parts[0]
        if method == "POST":
            obj_id = self.next_id
            self.next_id += 1
            obj = {"id": obj_id, "url": f"{BASE}/{collection}/{obj_id}", "metadata": {}, **copy.deepcopy(body)}
            if collection == "hooks":
                obj.setdefault("config", {}).setdefault("timeout_s", 30)
                obj["config"].pop("secret", None)
                obj.pop("secrets", None)
            if collection in NO_METADATA:
                obj.pop("metadata")
            self.normalize(collection, obj)
            self.data[collection][obj_id] = obj
            if collection == "queues":
                for name, kind in DEFAULT_TEMPLATES:
                    tid = self.next_id
                    self.next_id += 1
                    self.data["email_templates"][tid] = {
                        "id": tid,
                        "url": f"{BASE}/email_templates/{tid}",
                        "name": name,
                        "type": kind,
                        "queue": obj["url"],
                        "subject": "default",
                    }
            return obj
        obj_id = int(parts[1])
        if obj_id not in self.data[collection]:
            raise APIClientError(method, url, 404, '{"detail": "Not found."}')
        if method == "GET":
            return self.data[collection][obj_id]
        if method == "PATCH":
            obj = self.data[collection][obj_id]
            patch = copy.deepcopy(body)
            if collection == "hooks":
                if isinstance(patch.get("config"), dict):
                    patch["config"].pop("secret", None)
                patch.pop("secrets", None)
            obj.update(patch)
            self.normalize(collection, obj)
            return obj
        if method == "DELETE":
            del self.data[collection][obj_id]
            if collection == "queues":
                for tid, t in list(self.data["email_templates"].items()):
                    if t["queue"].endswith(f"/queues/{obj_id}"):
                        del self.data["email_templates"][tid]
            return {}
        raise AssertionError(f"unexpected {method} {url}")


def http_error(status: int, detail: str = "boom") -> APIClientError:
    return APIClientError("POST", "x", status, f'{{"detail": "{detail}"}}')


def transport_error() -> APITransportError:
    return APITransportError("POST", "x", "connection reset")
