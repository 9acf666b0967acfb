"""``documents show|download|list`` and ``tasks show|wait`` end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rossum_iac.ops.files import leftover_parts
from tests.cli_docs.conftest import DocsEnv


def upload_json(docs: DocsEnv, *paths: Path, wait: bool = True) -> dict[str, Any]:
    args = ["documents", "upload", *map(str, paths), "--queue", "invoices-eu", "--json"]
    result = docs.cli(*args, *(["--wait"] if wait else []))
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_download_original_bytes(docs: DocsEnv, tmp_path: Path):
    path = docs.files(1)[0]
    document_id = upload_json(docs, path)["results"][0]["documents"][0]
    out = tmp_path / "copy.pdf"
    result = docs.cli("documents", "download", str(document_id), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == path.read_bytes()
    assert f"Saved document {document_id} ({path.stat().st_size} bytes) to {out}" in result.stderr
    assert leftover_parts(tmp_path, "copy.pdf") == []


def test_download_to_stdout_and_default_name(docs: DocsEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = docs.files(1)[0]
    document_id = upload_json(docs, path)["results"][0]["documents"][0]
    result = docs.cli("documents", "download", str(document_id), "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes == path.read_bytes()

    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    result = docs.cli("documents", "download", str(document_id))
    assert result.exit_code == 0, result.output
    assert (workdir / path.name).read_bytes() == path.read_bytes()
    result = docs.cli("documents", "download", str(document_id))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path.name} already exists; choose another name with -o PATH\n"


def test_download_not_found_writes_nothing(docs: DocsEnv, tmp_path: Path):
    out = tmp_path / "x.pdf"
    result = docs.cli("documents", "download", "777", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == "Error: document 777 not found\n"
    assert list(tmp_path.iterdir()) == []


def test_show_and_list(docs: DocsEnv):
    paths = docs.files(2)
    data = upload_json(docs, *paths)
    doc_ids = [r["documents"][0] for r in data["results"]]
    annotation_ids = [r["annotations"][0]["id"] for r in data["results"]]

    result = docs.cli("documents", "show", str(doc_ids[0]))
    assert result.exit_code == 0, result.output
    assert "file name    invoice-0.pdf" in result.stdout
    assert f"annotations  {annotation_ids[0]}" in result.stdout
    shown = json.loads(docs.cli("documents", "show", str(doc_ids[1]), "--json").stdout)
    assert shown["id"] == doc_ids[1] and shown["original_file_name"] == "invoice-1.pdf"

    listed = json.loads(docs.cli("documents", "list", "--json").stdout)
    assert sorted(d["id"] for d in listed) == sorted(doc_ids)
    listed = json.loads(docs.cli("documents", "list", "--file-name", "invoice-1.pdf", "--json").stdout)
    assert [d["id"] for d in listed] == [doc_ids[1]]
    result = docs.cli("documents", "list", "--queue", "invoices-eu", "--limit", "1")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    result = docs.cli("documents", "list", "--queue", str(docs.other_queue_id))
    assert result.exit_code == 0 and "No documents found." in result.stderr


def test_tasks_show_and_wait(docs: DocsEnv):
    docs.emu.settings.import_delay_s = 1.0
    data = upload_json(docs, docs.files(1)[0], wait=False)
    task_id = data["results"][0]["task"]
    assert data["results"][0]["task_status"] == "running"

    result = docs.cli("tasks", "show", str(task_id))
    assert result.exit_code == 0, result.output
    fields = dict(line.split(None, 1) for line in result.stdout.splitlines()[1:])
    assert fields["id"] == str(task_id) and fields["type"] == "upload_created" and fields["status"] == "running"
    assert "/uploads/" in fields["content.upload"]

    result = docs.cli("tasks", "wait", str(task_id))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"task {task_id} succeeded\n"
    shown = json.loads(docs.cli("tasks", "show", str(task_id), "--json").stdout)
    assert shown["status"] == "succeeded" and shown["result_url"].endswith(shown["content"]["upload"].split("/")[-1])


def test_tasks_wait_timeout(docs: DocsEnv):
    docs.emu.settings.import_delay_s = 5
    task_id = upload_json(docs, docs.files(1)[0], wait=False)["results"][0]["task"]
    result = docs.cli("tasks", "wait", str(task_id), "--timeout", "0.3")
    assert result.exit_code == 1
    assert result.stderr == f"Error: task {task_id} did not finish within 0.3 s (last seen: status running)\n"


def test_tasks_not_found(docs: DocsEnv):
    result = docs.cli("tasks", "show", "5")
    assert result.exit_code == 1
    assert result.stderr == "Error: task 5 not found\n"


def test_list_by_queue_applies_date_filters(docs: DocsEnv):
    upload_json(docs, *docs.files(2))
    result = docs.cli("documents", "list", "--queue", "invoices-eu", "--arrived-after", "2999-01-01", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    result = docs.cli("documents", "list", "--queue", "invoices-eu", "--arrived-before", "2999-01-01", "--json")
    assert len(json.loads(result.stdout)) == 2


def test_rejected_token_is_one_line(docs: DocsEnv):
    result = docs.cli("annotations", "show", "5", env={"ROSSUM_API_TOKEN": "not-the-token"})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the API rejected the credentials (HTTP 401); "
        "check ROSSUM_API_TOKEN or ROSSUM_USERNAME/ROSSUM_PASSWORD\n"
    )
    assert "not-the-token" not in result.output


def test_embedded_emulator_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``--emulator DB`` works for these commands as for plan/apply (state kept in DB between commands)."""
    from click.testing import CliRunner

    from rossum_iac.cli.main import main

    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "emu.sqlite3")
    result = CliRunner().invoke(main, ["documents", "list", "--emulator", db], env={"ROSSUM_API_TOKEN": ""})
    assert result.exit_code == 0, result.output
    assert "No documents found." in result.stderr
    result = CliRunner().invoke(main, ["annotations", "list", "--queue", "invoices-eu", "--emulator", db])
    assert result.exit_code == 1
    assert result.stderr == "Error: no queue with key 'invoices-eu'\n"
