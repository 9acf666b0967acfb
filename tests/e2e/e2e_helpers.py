"""Helpers for CLI tests against the emulator over real HTTP: manifests in tmp_path, CLI runs, live access."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from rossum_iac.cli.main import main

BASE_MANIFESTS = {
    "rossum.yaml": "stack: e2e\n",
    "base.yaml": """
        kind: Workspace
        key: main
        name: Main
        ---
        kind: Schema
        key: main
        name: Main schema
        content:
          - category: section
            id: basics
            label: Basics
            children:
              - {category: datapoint, id: invoice_id, label: Invoice number, type: string}
              - {category: datapoint, id: amount_total, label: Total, type: number}
        ---
        kind: Queue
        key: main
        name: Main queue
        workspace: main
        schema: main
        """,
}


def write_manifests(root: Path, files: dict[str, str | None]) -> Path:
    """Write (or with ``None`` delete) manifest files under ``root``; text is dedented."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


class Cli:
    """Runs ``rossum-iac`` in-process against one emulator, with the token in the environment only."""

    def __init__(self, emulator: Any, **env: str) -> None:
        self.emulator = emulator
        self.env = {"ROSSUM_API_TOKEN": emulator.token, "NO_COLOR": "1", **env}

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        full = [*args, "--base-url", self.emulator.base_url]
        return CliRunner().invoke(main, full, env={**self.env, **(env or {})}, input=input, catch_exceptions=False)

    def json(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any]:
        result = self(*args, "--json", env=env)
        return result.exit_code, json.loads(result.stdout)


class Live:
    """Direct access to the emulator's API through the project's sync client (changes "made in the UI")."""

    def __init__(self, emulator: Any) -> None:
        from rossum_iac.client import SyncRossumAPIClient, Token

        self.client = SyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=0)

    def list(self, collection: str, **filters: Any) -> list[dict[str, Any]]:
        return list(self.client.request_paginated(collection, **filters))

    def find(self, collection: str, name: str, field: str = "name") -> dict[str, Any]:
        found = [o for o in self.list(collection) if o.get(field) == name]
        assert len(found) == 1, f"expected one {collection} named {name!r}, found {len(found)}"
        return found[0]

    def get(self, path: str) -> dict[str, Any]:
        return dict(self.client.request_json("GET", path))

    def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.client.request_json("PATCH", path, json=body))

    def delete(self, path: str) -> None:
        self.client.request_json("DELETE", path)

    def close(self) -> None:
        self.client.close()


def write_requests(emulator: Any) -> list[tuple[str, str, int]]:
    return [r for r in emulator.request_log if r[0] not in ("GET", "HEAD")]
