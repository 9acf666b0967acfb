"""``annotations export`` end to end: every format's content, stdout, --to-status, nothing half-written."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from rossum_iac.ops.files import leftover_parts
from tests.cli_docs.conftest import DocsEnv


@pytest.fixture
def exported_queue(docs: DocsEnv) -> dict[str, int]:
    """Three annotations: INV-0 (to_review), INV-1 (confirmed -> exported), INV-2 (postponed); amounts set."""
    ids = {}
    for index, path in enumerate(docs.files(3)):
        (aid,) = docs.upload(path, values={"upload:document_id": f"INV-{index}"})
        assert docs.cli("annotations", "update", str(aid), "--set", f"amount_total={index}0.5").exit_code == 0
        ids[f"INV-{index}"] = aid
    assert docs.cli("annotations", "confirm", str(ids["INV-1"])).exit_code == 0
    assert docs.cli("annotations", "postpone", str(ids["INV-2"])).exit_code == 0
    docs.emu.request_log.clear()
    return ids


def export(docs: DocsEnv, fmt: str, out: Path | None, *extra: str) -> Any:
    args = ["annotations", "export", "--queue", "invoices-eu", "--format", fmt, *extra]
    if out is not None:
        args += ["-o", str(out)]
    result = docs.cli(*args)
    assert result.exit_code == 0, result.output
    return result


def test_csv_to_file(docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path):
    out = tmp_path / "export.csv"
    result = export(docs, "csv", out, "--status", "to_review,exported,postponed")
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["Invoice number", "Total", "Description"]
    assert sorted(rows[1:]) == [["INV-0", "00.5", ""], ["INV-1", "10.5", ""], ["INV-2", "20.5", ""]]
    assert re.search(rf"Exported \d+ bytes to {re.escape(str(out))}", result.stderr)
    assert leftover_parts(tmp_path, "export.csv") == []
    assert result.stdout == ""


def test_csv_columns_and_status_filter_to_stdout(docs: DocsEnv, exported_queue: dict[str, int]):
    result = export(docs, "csv", None, "--status", "exported", "--columns", "meta_file_name,document_id")
    assert result.stdout.splitlines() == ["meta_file_name,Invoice number", "invoice-1.pdf,INV-1"]


def test_xml(docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path):
    out = tmp_path / "export.xml"
    export(docs, "xml", out, "--id", f"{exported_queue['INV-0']},{exported_queue['INV-2']}")
    root = ET.parse(out).getroot()
    annotations = root.findall("./results/annotation")
    assert len(annotations) == 2
    by_number = {a.find(".//datapoint[@schema_id='document_id']").text: a for a in annotations}  # type: ignore[union-attr]
    assert set(by_number) == {"INV-0", "INV-2"}
    assert by_number["INV-2"].findtext("status") == "postponed"
    assert by_number["INV-0"].find(".//datapoint[@schema_id='amount_total']").text == "00.5"  # type: ignore[union-attr]


def test_xlsx(docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path):
    out = tmp_path / "export.xlsx"
    export(docs, "xlsx", out)
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "Invoice number" in sheet
    assert all(f"INV-{i}" in sheet for i in range(3))


def test_json(docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path):
    out = tmp_path / "export.json"
    result = export(docs, "json", out)
    data = json.loads(out.read_text())
    assert sorted(r["document"]["file_name"] for r in data["results"]) == [f"invoice-{i}.pdf" for i in range(3)]
    values = {
        r["content"][0]["children"][0]["value"]: (r["status"], r["content"][0]["children"][1]["value"])
        for r in data["results"]
    }
    assert values == {"INV-0": ("to_review", "00.5"), "INV-1": ("exported", "10.5"), "INV-2": ("postponed", "20.5")}
    assert "Exported 3 annotations" in result.stderr


def test_json_many_pages_to_stdout(docs: DocsEnv):
    for index in range(3):
        docs.upload(*docs.files(45, prefix=f"p{index}"))
    result = export(docs, "json", None)
    data = json.loads(result.stdout)
    assert len(data["results"]) == 135
    assert len({r["url"] for r in data["results"]}) == 135
    pages = [path for method, path, _ in docs.requests() if method == "GET" and "/export" in path]
    assert len(pages) == 2  # 100 per page


def test_empty_json_export_is_valid(docs: DocsEnv, tmp_path: Path):
    out = tmp_path / "empty.json"
    export(docs, "json", out)
    assert json.loads(out.read_text()) == {"results": []}


def test_to_status_json_switches_after_writing(docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path):
    out = tmp_path / "confirmed.json"
    result = export(docs, "json", out, "--status", "to_review,postponed", "--to-status", "exported")
    data = json.loads(out.read_text())
    assert sorted(r["status"] for r in data["results"]) == ["postponed", "to_review"]
    assert "2 annotations moved to status exported" in result.stderr
    assert docs.annotation(exported_queue["INV-0"])["status"] == "exported"
    assert docs.annotation(exported_queue["INV-2"])["status"] == "exported"
    methods = [(m, p.split("?")[0]) for m, p, _ in docs.requests() if "/export" in p]
    assert methods[-1][0] == "POST" and all(m == "GET" for m, _ in methods[:-1])


def test_to_status_csv(docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path):
    out = tmp_path / "x.csv"
    export(docs, "csv", out, "--status", "to_review", "--to-status", "exported")
    assert [row[0] for row in csv.reader(io.StringIO(out.read_text()))] == ["Invoice number", "INV-0"]
    assert docs.annotation(exported_queue["INV-0"])["status"] == "exported"


def test_unknown_queue(docs: DocsEnv, tmp_path: Path):
    out = tmp_path / "x.csv"
    result = docs.cli("annotations", "export", "--queue", "424242", "--format", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == "Error: queue 424242 not found\n"
    assert not out.exists() and leftover_parts(tmp_path, "x.csv") == []


@pytest.mark.parametrize("failure", ["transport", "interrupt"])
def test_failure_mid_stream_leaves_nothing_half_written(
    docs: DocsEnv, exported_queue: dict[str, int], tmp_path: Path, monkeypatch: Any, failure: str
):
    from rossum_iac.client import APITransportError, AsyncRossumAPIClient

    original = AsyncRossumAPIClient.export_annotations_to_file

    async def broken(self: Any, *args: Any, **kwargs: Any) -> AsyncIterator[bytes]:
        async for chunk in original(self, *args, **kwargs):
            yield chunk
            if failure == "interrupt":
                raise KeyboardInterrupt
            raise APITransportError("GET", "queues/1/export", "stream interrupted after data was delivered")

    monkeypatch.setattr(AsyncRossumAPIClient, "export_annotations_to_file", broken)
    out = tmp_path / "x.csv"
    out.write_text("previous export\n")
    result = docs.cli("annotations", "export", "--queue", "invoices-eu", "--format", "csv", "-o", str(out))
    if failure == "interrupt":
        assert result.exit_code == 130 and "Interrupted." in result.stderr
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: cannot reach the API: stream interrupted")
    assert out.read_text() == "previous export\n"
    assert leftover_parts(tmp_path, "x.csv") == []
