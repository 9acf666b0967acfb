"""Helpers for the emulator tests (importable, unlike conftest)."""

from __future__ import annotations

from typing import Any

import httpx


class Maker:
    """Creates objects through the API and asserts each create succeeded."""

    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        self._n = 0

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.api.post(path, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-{self._n}"

    def workspace(self, **kw: Any) -> dict[str, Any]:
        return self._post("/workspaces", {"name": self.name("ws"), **kw})

    def schema(self, **kw: Any) -> dict[str, Any]:
        return self._post("/schemas", {"name": self.name("schema"), "content": [], **kw})

    def queue(self, **kw: Any) -> dict[str, Any]:
        body = {"name": self.name("queue"), **kw}
        body.setdefault("workspace", self.workspace()["url"])
        body.setdefault("schema", self.schema()["url"])
        return self._post("/queues", body)

    def hook(self, **kw: Any) -> dict[str, Any]:
        body = {"name": self.name("hook"), "config": {"url": "http://127.0.0.1:9/hook"}, "events": [], **kw}
        return self._post("/hooks", body)


def id_of(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[1])
