"""``annotations`` commands end to end against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_docs.conftest import DocsEnv


@pytest.fixture
def uploaded(docs: DocsEnv) -> list[int]:
    """Three imported annotations in the ``invoices-eu`` queue (document ids INV-0..2)."""
    ids = []
    for index, path in enumerate(docs.files(3)):
        ids += docs.upload(path, values={"upload:document_id": f"INV-{index}"})
    docs.emu.request_log.clear()
    return ids


def test_list_table_and_json(docs: DocsEnv, uploaded: list[int]):
    result = docs.cli("annotations", "list", "--queue", "invoices-eu")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "FILE", "NAME", "DOCUMENT", "CREATED", "AT", "MODIFIED", "AT"]
    rows = {int(line.split()[0]): line.split() for line in lines[1:]}
    assert set(rows) == set(uploaded)
    assert {row[1] for row in rows.values()} == {"to_review"}
    assert sorted(row[2] for row in rows.values()) == ["invoice-0.pdf", "invoice-1.pdf", "invoice-2.pdf"]

    result = docs.cli(
        "annotations", "list", "--queue", str(docs.queue_id), "--json", "--ordering", "-id", "--limit", "2"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [a["id"] for a in data] == sorted(uploaded, reverse=True)[:2]


def test_list_status_filter(docs: DocsEnv, uploaded: list[int]):
    assert docs.cli("annotations", "postpone", str(uploaded[0])).exit_code == 0
    result = docs.cli("annotations", "list", "--queue", "invoices-eu", "--status", "postponed", "--json")
    assert [a["id"] for a in json.loads(result.stdout)] == [uploaded[0]]
    result = docs.cli("annotations", "list", "--queue", "invoices-eu", "--status", "to_review,postponed", "--json")
    assert sorted(a["id"] for a in json.loads(result.stdout)) == sorted(uploaded)
    result = docs.cli("annotations", "list", "--queue", str(docs.other_queue_id))
    assert result.exit_code == 0 and "No annotations found." in result.stderr


def test_show_with_content_tree(docs: DocsEnv, uploaded: list[int]):
    result = docs.cli("annotations", "show", str(uploaded[1]), "--content")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"id           {uploaded[1]}" in out
    assert "status       to_review" in out
    assert "file name    invoice-1.pdf" in out
    tree = out.split("\n\n", 1)[1]
    assert tree.splitlines() == [
        "basic_info",
        "├── document_id: INV-1",
        "└── amount_total: (empty)",
        "items_section",
        "└── line_items (0 rows)",
    ]
    data = json.loads(docs.cli("annotations", "show", str(uploaded[1]), "--content", "--json").stdout)
    assert data["id"] == uploaded[1] and data["content"][0]["schema_id"] == "basic_info"


def test_show_not_found(docs: DocsEnv):
    result = docs.cli("annotations", "show", "123")
    assert result.exit_code == 1
    assert result.stderr == "Error: annotation 123 not found\n"


def test_search_by_text_and_query(docs: DocsEnv, uploaded: list[int]):
    result = docs.cli("annotations", "search", "--text", "INV-2", "--json")
    assert result.exit_code == 0, result.output
    assert [a["id"] for a in json.loads(result.stdout)] == [uploaded[2]]
    query = json.dumps({"field.document_id.string": {"$in": ["INV-0", "INV-1"]}})
    result = docs.cli("annotations", "search", "--query", query)
    assert result.exit_code == 0, result.output
    assert sorted(int(line.split()[0]) for line in result.stdout.splitlines()[1:]) == sorted(uploaded[:2])


def test_update_fields_by_schema_id(docs: DocsEnv, uploaded: list[int]):
    aid = uploaded[0]
    result = docs.cli("annotations", "update", str(aid), "--set", "document_id=INV-900", "--set", "amount_total=12.50")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"annotation {aid}: document_id = 'INV-900'",
        f"annotation {aid}: amount_total = '12.50'",
    ]
    values = docs.content_values(aid)
    assert values["document_id"] == "INV-900" and values["amount_total"] == "12.50"
    posts = [r for r in docs.requests() if r[0] == "POST"]
    assert [(p[1], p[2]) for p in posts] == [(f"/api/v1/annotations/{aid}/content/operations", 200)]


def test_update_unknown_field_sends_nothing(docs: DocsEnv, uploaded: list[int]):
    result = docs.cli("annotations", "update", str(uploaded[0]), "--set", "vendor=ACME")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: annotation {uploaded[0]} has no field 'vendor' (fields: ")
    assert [r[0] for r in docs.requests()] == ["GET"]


def test_update_with_data_patches_annotation(docs: DocsEnv, uploaded: list[int]):
    result = docs.cli("annotations", "update", str(uploaded[0]), "--data", '{"metadata": {"checked": true}}')
    assert result.exit_code == 0, result.output
    assert docs.annotation(uploaded[0])["metadata"] == {"checked": True}


def test_bulk_update_from_file(docs: DocsEnv, uploaded: list[int], tmp_path: Path):
    aid = uploaded[0]
    content = docs.api.get(f"/annotations/{aid}/content").json()["content"]
    multivalue = content[1]["children"][0]
    amount = content[0]["children"][1]
    ops = {
        "operations": [
            {"op": "replace", "id": amount["id"], "value": {"content": {"value": "99"}}},
            {
                "op": "add",
                "id": multivalue["id"],
                "value": [{"schema_id": "item_desc", "content": {"value": "Bottle"}}],
            },
        ]
    }
    path = tmp_path / "ops.json"
    path.write_text(json.dumps(ops))
    result = docs.cli("annotations", "bulk-update", str(aid), "--operations", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"annotation {aid}: 2 operations applied\n"
    tree = docs.cli("annotations", "show", str(aid), "--content").stdout
    assert "amount_total: 99" in tree and "line_items (1 row)" in tree and "item_desc: Bottle" in tree


def test_lifecycle_actions(docs: DocsEnv, uploaded: list[int]):
    first, second, third = uploaded
    result = docs.cli("annotations", "start", str(first))
    assert result.exit_code == 0 and result.stdout == f"annotation {first} started (status reviewing)\n"
    result = docs.cli("annotations", "confirm", str(first), str(second))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"annotation {first} confirmed (status exported)",
        f"annotation {second} confirmed (status exported)",
    ]
    assert docs.annotation(first)["status"] == "exported"

    result = docs.cli("annotations", "start", str(first))
    assert result.exit_code == 1
    assert result.stderr == f"Error: annotation {first} is in status exported; cannot start\n"

    result = docs.cli("annotations", "postpone", str(third), "--json")
    assert json.loads(result.stdout) == [
        {"id": third, "ok": True, "status": "postponed", "message": f"annotation {third} postponed"}
    ]
    assert docs.cli("annotations", "start", str(third)).exit_code == 0
    result = docs.cli("annotations", "cancel", str(third))
    assert result.stdout == f"annotation {third} cancelled (status postponed)\n"
    result = docs.cli("annotations", "delete", str(third), "999999")
    assert result.exit_code == 1
    assert result.stdout == f"annotation {third} deleted (status deleted)\n"
    assert result.stderr == "Error: annotation 999999 not found\n"
    assert docs.annotation(third)["status"] == "deleted"


def test_wait_until_imported_and_status(docs: DocsEnv):
    docs.emu.settings.import_delay_s = 1.0
    result = docs.cli("documents", "upload", str(docs.files(1)[0]), "--queue", "invoices-eu", "--json")
    task_id = json.loads(result.stdout)["results"][0]["task"]
    upload_url = docs.api.get(f"/tasks/{task_id}", params={"no_redirect": "true"}).json()["content"]["upload"]
    aid = int(docs.api.get(upload_url).json()["annotations"][0].rsplit("/", 1)[1])
    assert docs.annotation(aid)["status"] == "importing"

    result = docs.cli("annotations", "wait", str(aid))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"annotation {aid} to_review\n"

    result = docs.cli("annotations", "wait", str(aid), "--until", "exported", "--timeout", "0.3")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: waiting for annotation {aid} to become exported did not finish within 0.3 s "
        "(last seen: status to_review)\n"
    )
    docs.cli("annotations", "delete", str(aid))
    result = docs.cli("annotations", "wait", str(aid), "--until", "exported")
    assert result.exit_code == 1
    assert result.stderr == f"Error: annotation {aid} reached status deleted while waiting for exported\n"
