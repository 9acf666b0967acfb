"""``documents upload`` end to end against the emulator (real HTTP on loopback)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli_docs.conftest import DocsEnv


def test_upload_with_wait_reports_each_annotation(docs: DocsEnv):
    paths = docs.files(3)
    result = docs.cli(
        "documents",
        "upload",
        *map(str, paths),
        "--queue",
        "invoices-eu",
        "--wait",
        "--metadata",
        '{"batch": "b-17"}',
        "--values",
        '{"upload:document_id": "INV-42"}',
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["queue"] == docs.queue_id
    assert [r["file"] for r in data["results"]] == [str(p) for p in paths]
    for entry in data["results"]:
        assert entry["state"] == "imported"
        assert len(entry["annotations"]) == 1 and entry["annotations"][0]["status"] == "to_review"
        annotation_id = entry["annotations"][0]["id"]
        live = docs.annotation(annotation_id)
        assert live["status"] == "to_review"
        assert live["metadata"] == {"batch": "b-17"}
        assert live["queue"].endswith(f"/queues/{docs.queue_id}")
        assert docs.content_values(annotation_id)["document_id"] == "INV-42"
        document = docs.api.get(f"/documents/{entry['documents'][0]}").json()
        assert document["original_file_name"] == Path(entry["file"]).name
    uploads = [r for r in docs.requests() if r[0] == "POST" and r[1].startswith("/api/v1/uploads")]
    assert len(uploads) == 3 and all(status == 202 for _, _, status in uploads)


def test_upload_table_without_wait(docs: DocsEnv):
    paths = docs.files(2)
    result = docs.cli("documents", "upload", *map(str, paths), "--queue", str(docs.queue_id))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["FILE", "STATE", "TASK", "TASK", "STATUS"]
    assert [line.split()[:2] for line in lines[1:]] == [["invoice-0.pdf", "uploaded"], ["invoice-1.pdf", "uploaded"]]
    task_ids = [int(line.split()[2]) for line in lines[1:]]
    for task_id in task_ids:
        task = docs.api.get(f"/tasks/{task_id}", params={"no_redirect": "true"}).json()
        assert task["type"] == "upload_created"
    assert "2 of 2 files uploaded." in result.stderr


def test_upload_with_wait_table(docs: DocsEnv):
    result = docs.cli("documents", "upload", str(docs.files(1)[0]), "--queue", "invoices-eu", "--wait")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["FILE", "STATE", "ANNOTATION", "STATUS", "DOCUMENT"]
    file_name, state, annotation_id, status, _document = row.split()
    assert (file_name, state, status) == ("invoice-0.pdf", "imported", "to_review")
    assert docs.annotation(int(annotation_id))["status"] == "to_review"


def test_unknown_queue_id_fails_before_uploading(docs: DocsEnv):
    result = docs.cli("documents", "upload", str(docs.files(1)[0]), "--queue", "999999")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: queue 999999 not found"
    assert not any(path.startswith("/api/v1/uploads") for _, path, _ in docs.requests())


def test_queue_key_resolution(docs: DocsEnv):
    # same key in another stack: ambiguous without --stack
    twin = docs.make_queue("Invoices EU (other stack)", {"rossum_iac": {"stack": "ar", "key": "invoices-eu"}})
    path = str(docs.files(1)[0])
    result = docs.cli("documents", "upload", path, "--queue", "invoices-eu")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: queue with key 'invoices-eu' is ambiguous")
    assert str(docs.queue_id) in message and str(twin) in message and "pass --stack NAME" in message

    result = docs.cli("documents", "upload", path, "--queue", "invoices-eu", "--stack", "ar", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["queue"] == twin

    result = docs.cli("documents", "upload", path, "--queue", "invoices-us")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no queue with key 'invoices-us'"


def test_upload_failure_of_one_file_is_reported_and_others_continue(docs: DocsEnv, monkeypatch: Any, tmp_path: Path):
    paths = docs.files(3)
    # the file disappears between the input check and its upload
    from rossum_iac.ops import uploads

    original = uploads.UploadBatch._one

    async def one(self: Any, client: Any, queue_id: int, result: Any) -> None:
        if result.path == paths[1]:
            result.path.unlink()
        await original(self, client, queue_id, result)

    monkeypatch.setattr(uploads.UploadBatch, "_one", one)
    result = docs.cli("documents", "upload", *map(str, paths), "--queue", "invoices-eu", "--concurrency", "1")
    assert result.exit_code == 1
    assert "2 of 3 files uploaded, 1 failed." in result.stderr
    assert f"Error: {paths[1]}: cannot read {paths[1]}" in result.stderr
    states = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:]}
    assert states == {"invoice-0.pdf": "uploaded", "invoice-1.pdf": "failed", "invoice-2.pdf": "uploaded"}


def test_concurrency_bounds_uploads_in_flight(docs: DocsEnv, monkeypatch: Any):
    """With --concurrency 2 never more than two uploads are in flight, and two are at some point."""
    from rossum_iac.client import AsyncRossumAPIClient

    in_flight, peak = 0, 0
    original = AsyncRossumAPIClient.upload_document

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await original(self, *args, **kwargs)
        finally:
            in_flight -= 1

    monkeypatch.setattr(AsyncRossumAPIClient, "upload_document", counting)
    docs.emu.settings.latency_ms = 30
    result = docs.cli("documents", "upload", *map(str, docs.files(6)), "--queue", "invoices-eu", "--concurrency", "2")
    assert result.exit_code == 0, result.output
    assert peak == 2


def _wait_for(predicate: Callable[[], bool], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_ctrl_c_reports_uploads_done(docs: DocsEnv):
    """A real SIGINT to the CLI process: the uploads that reached the API are listed, exit code 130."""
    docs.emu.settings.latency_ms = 150
    paths = docs.files(30)
    env = {**os.environ, "ROSSUM_API_TOKEN": docs.emu.token, "NO_COLOR": "1"}
    # Ctrl-C as in a terminal: started from a background job (``pytest ... &``), the process would inherit SIGINT
    # ignored and never see the signal
    terminal = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)"
    command = [sys.executable, "-c", f"{terminal}; from rossum_iac.cli.main import main; main()"]
    args = ["documents", "upload", *map(str, paths), "--queue", str(docs.queue_id), "--concurrency", "1"]
    process = subprocess.Popen(
        [*command, *args, "--base-url", docs.emu.base_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    uploads = lambda: [r for r in docs.requests() if r[0] == "POST" and r[1].startswith("/api/v1/uploads")]  # noqa: E731
    _wait_for(lambda: len(uploads()) >= 3, timeout=20)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    rows = stdout.splitlines()[1:]
    assert rows and all(row.split()[1] == "uploaded" for row in rows)
    reported = len(rows)
    assert f"Interrupted: {reported} of 30 files were uploaded" in stderr
    time.sleep(0.5)  # let a request that was in flight at the signal finish in the emulator
    served = len([r for r in uploads() if r[2] == 202])
    assert reported <= served <= reported + 1
    assert reported < 30
    assert "Traceback" not in stderr
