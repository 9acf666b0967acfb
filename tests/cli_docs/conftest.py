"""End-to-end fixtures: an emulator on loopback with a workspace, a schema and two queues (one owned by stack
``ap`` under key ``invoices-eu``), and a CliRunner bound to it through ``--base-url`` + ``ROSSUM_API_TOKEN``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from rossum_iac.cli.main import main

SCHEMA_CONTENT = [
    {
        "category": "section",
        "id": "basic_info",
        "label": "Basic information",
        "children": [
            {
                "category": "datapoint",
                "id": "document_id",
                "label": "Invoice number",
                "type": "string",
                "rir_field_names": ["upload:document_id"],
            },
            {"category": "datapoint", "id": "amount_total", "label": "Total", "type": "number", "rir_field_names": []},
        ],
    },
    {
        "category": "section",
        "id": "items_section",
        "label": "Items",
        "children": [
            {
                "category": "multivalue",
                "id": "line_items",
                "label": "Line items",
                "children": {
                    "category": "tuple",
                    "id": "line_item",
                    "label": "Line item",
                    "children": [
                        {
                            "category": "datapoint",
                            "id": "item_desc",
                            "label": "Description",
                            "type": "string",
                            "rir_field_names": [],
                        }
                    ],
                },
            }
        ],
    },
]

IMPORT_DELAY_S = 0.1


@dataclass
class DocsEnv:
    emu: Any
    api: httpx.Client
    queue_id: int
    """Queue owned by stack ``ap`` under key ``invoices-eu``."""
    other_queue_id: int
    """An unmanaged queue."""
    workspace_url: str
    schema_url: str
    tmp: Path
    runner: CliRunner

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run ``rossum-iac ARGS --base-url <emulator>`` with the emulator's token in the environment."""
        full_env = {"ROSSUM_API_TOKEN": self.emu.token, "NO_COLOR": "1", **(env or {})}
        return self.runner.invoke(main, [*args, "--base-url", self.emu.base_url], env=full_env)

    def make_queue(self, name: str, metadata: dict[str, Any] | None = None) -> int:
        body = {"name": name, "workspace": self.workspace_url, "schema": self.schema_url, "metadata": metadata or {}}
        response = self.api.post("/queues", json=body)
        response.raise_for_status()
        return int(response.json()["id"])

    def files(self, count: int, prefix: str = "invoice") -> list[Path]:
        paths = []
        for index in range(count):
            path = self.tmp / f"{prefix}-{index}.pdf"
            path.write_bytes(f"%PDF-1.4 {prefix} {index} ".encode() + bytes(range(256)))
            paths.append(path)
        return paths

    def upload(self, *paths: Path, queue_id: int | None = None, values: dict[str, Any] | None = None) -> list[int]:
        """Upload through the CLI with --wait; the annotation ids."""
        import json

        args = ["documents", "upload", *map(str, paths), "--queue", str(queue_id or self.queue_id), "--wait", "--json"]
        if values:
            args += ["--values", json.dumps(values)]
        result = self.cli(*args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        return [a["id"] for r in data["results"] for a in r["annotations"]]

    def annotation(self, annotation_id: int) -> dict[str, Any]:
        return dict(self.api.get(f"/annotations/{annotation_id}").json())

    def content_values(self, annotation_id: int) -> dict[str, Any]:
        data = self.api.get(f"/annotations/{annotation_id}/content").json()
        values: dict[str, Any] = {}

        def walk(nodes: list[dict[str, Any]]) -> None:
            for node in nodes:
                if node.get("category") == "datapoint":
                    values[node["schema_id"]] = (node.get("content") or {}).get("value")
                walk(node.get("children") or [])

        walk(data["content"])
        return values

    def requests(self) -> list[tuple[str, str, int]]:
        return list(self.emu.request_log)


@pytest.fixture
def docs(emulator_factory: Callable[..., Any], tmp_path: Path) -> Iterator[DocsEnv]:
    emu = emulator_factory(import_delay_s=IMPORT_DELAY_S)
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=10) as api:
        organization = api.get("/auth/user").json()["organization"]
        workspace = api.post("/workspaces", json={"name": "AP", "organization": organization}).json()
        schema = api.post("/schemas", json={"name": "Invoices", "content": SCHEMA_CONTENT}).json()
        env = DocsEnv(emu, api, 0, 0, workspace["url"], schema["url"], tmp_path, CliRunner())
        env.queue_id = env.make_queue("Invoices EU", {"rossum_iac": {"stack": "ap", "key": "invoices-eu"}})
        env.other_queue_id = env.make_queue("Unmanaged")
        emu.request_log.clear()
        yield env


@pytest.fixture
def no_requests(docs: DocsEnv) -> Iterator[DocsEnv]:
    """Asserts at the end that the test made no API request (bad input must be caught before any)."""
    docs.emu.request_log.clear()
    yield docs
    assert docs.requests() == []
