"""Queue export in every format, filters, to_status, pagination and streaming of large exports."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
import zipfile

import httpx

from ._docflow import datapoints_by_schema_id, imported, legacy_upload, make_queue

SHEET = "xl/worksheets/sheet1.xml"
NS = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _exported_queue(api, emulator):
    """Two confirmed (exported) annotations with values and one line item, plus one to_review."""
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    urls = legacy_upload(api, queue, [("template_invoice.pdf", b"1"), ("quora.pdf", b"2"), ("pending.pdf", b"3")])
    for url, (number, vendor, total) in zip(
        urls[:2], [("12345", "Peter, Paul and Merry", "900.00"), ("2183760194", "Quora, Inc", "500.00")], strict=True
    ):
        annotation = imported(api, url)
        nodes = datapoints_by_schema_id(api.get(annotation["content"]).json()["content"])
        multivalue_id = next(
            n for n in api.get(annotation["content"]).json()["content"][1]["children"] if n["schema_id"] == "line_items"
        )["id"]
        operations = [
            {"op": "replace", "id": nodes["document_id"][0]["id"], "value": {"content": {"value": number}}},
            {"op": "replace", "id": nodes["sender_name"][0]["id"], "value": {"content": {"value": vendor}}},
            {"op": "replace", "id": nodes["amount_total"][0]["id"], "value": {"content": {"value": total}}},
            {"op": "add", "id": multivalue_id, "value": [{"schema_id": "item_description", "content": {"value": "A"}}]},
            {"op": "add", "id": multivalue_id, "value": [{"schema_id": "item_description", "content": {"value": "B"}}]},
        ]
        assert api.post(f"{url}/content/operations", json={"operations": operations}).status_code == 200
        assert api.post(f"{url}/start").status_code == 200
        assert api.post(f"{url}/confirm").status_code == 204
    imported(api, urls[2])
    return queue, urls


def test_csv_export_columns_and_rows(api, emulator):
    queue, urls = _exported_queue(api, emulator)
    response = api.get(
        f"/queues/{queue['id']}/export",
        params={
            "format": "csv",
            "columns": "meta_file_name,document_id,sender_name,amount_total",
            "status": "exported",
        },
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["meta_file_name", "Invoice number", "Vendor", "Total amount"],
        ["template_invoice.pdf", "12345", "Peter, Paul and Merry", "900.00"],
        ["quora.pdf", "2183760194", "Quora, Inc", "500.00"],
    ]
    assert '"Peter, Paul and Merry"' in response.text

    full = api.get(
        f"/queues/{queue['id']}/export",
        params={
            "format": "csv",
            "prepend_columns": "meta_file_name",
            "append_columns": "meta_url,meta_status",
            "id": urls[0].rsplit("/", 1)[1],
            "delimiter": ";",
        },
    )
    rows = list(csv.reader(io.StringIO(full.text), delimiter=";"))
    assert rows[0] == [
        "meta_file_name",
        "Invoice number",
        "Issue date",
        "Vendor",
        "Total amount",
        "Description",
        "Amount",
        "meta_url",
        "meta_status",
    ]
    # one line per line item, header fields repeated
    assert [row[5] for row in rows[1:]] == ["A", "B"] and all(row[1] == "12345" for row in rows[1:])
    assert rows[1][-2:] == [urls[0], "exported"]
    bad = api.get(f"/queues/{queue['id']}/export", params={"format": "csv", "columns": "nope"})
    assert bad.status_code == 400
    assert (
        api.get(f"/queues/{queue['id']}/export", params={"format": "csv", "quoting": "quote_none"}).status_code == 400
    )
    assert api.get(f"/queues/{queue['id']}/export", params={"format": "pdf"}).status_code == 400


def test_xml_export_parses(api, emulator):
    queue, urls = _exported_queue(api, emulator)
    response = api.get(f"/queues/{queue['id']}/export", params={"format": "xml", "status": "exported"})
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    root = ET.fromstring(response.content)
    assert root.tag == "export"
    annotations = root.findall("./results/annotation")
    assert [a.get("url") for a in annotations] == urls[:2]
    first = annotations[0]
    assert first.findtext("status") == "exported"
    assert first.find("document").findtext("file_name") == "template_invoice.pdf"
    values = {dp.get("schema_id"): dp.text for dp in first.iter("datapoint")}
    assert values["document_id"] == "12345" and values["sender_name"] == "Peter, Paul and Merry"
    assert "notes" not in values
    assert first.find("./content/section").get("schema_id") == "invoice_info"
    assert len(first.findall(".//multivalue/tuple")) == 2
    assert root.findtext("./pagination/total") == "2"
    via_accept = api.get(
        f"/queues/{queue['id']}/export", headers={"Accept": "application/xml"}, params={"status": "exported"}
    )
    assert ET.fromstring(via_accept.content).tag == "export"


def test_xlsx_export_is_a_workbook(api, emulator):
    queue, _urls = _exported_queue(api, emulator)
    response = api.get(
        f"/queues/{queue['id']}/export",
        params={"format": "xlsx", "status": "exported", "columns": "meta_file_name,amount_total"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    assert {"[Content_Types].xml", "xl/workbook.xml", SHEET} <= set(archive.namelist())
    sheet = ET.fromstring(archive.read(SHEET))
    rows = [[t.text for t in row.iter(f"{{{NS['s']}}}t")] for row in sheet.iter(f"{{{NS['s']}}}row")]
    assert rows == [["meta_file_name", "Total amount"], ["template_invoice.pdf", "900.00"], ["quora.pdf", "500.00"]]


def test_json_export_shape_and_pagination(api, emulator):
    queue, urls = _exported_queue(api, emulator)
    first = api.get(f"/queues/{queue['id']}/export", params={"format": "json", "page_size": 1}).json()
    assert first["pagination"]["total"] == 3 and first["pagination"]["total_pages"] == 3
    result = first["results"][0]
    assert result["url"] == urls[0] and result["status"] == "exported"
    assert result["document"]["file_name"] == "template_invoice.pdf" and result["document"]["file"].endswith("/content")
    assert result["schema"] == {"url": queue["schema"]} and result["metadata"] == {}
    assert result["modifier"] == {"url": api.get("/auth/user").json()["url"]}
    section = result["content"][0]
    assert section["category"] == "section" and section["schema_id"] == "invoice_info"
    document_id = next(c for c in section["children"] if c["schema_id"] == "document_id")
    assert document_id == {
        "category": "datapoint",
        "schema_id": "document_id",
        "value": "12345",
        "type": "string",
        "rir_confidence": None,
    }
    second = api.get(first["pagination"]["next"]).json()
    assert second["results"][0]["url"] == urls[1] and second["pagination"]["previous"]
    default = api.get(f"/queues/{queue['id']}/export").json()  # JSON is the default format
    assert len(default["results"]) == 3


def test_post_export_with_to_status(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api, use_confirmed_state=True)
    urls = legacy_upload(api, queue, [("a.pdf", b"a"), ("b.pdf", b"b")])
    for url in urls:
        imported(api, url)
        assert api.post(f"{url}/confirm").status_code == 204
    assert api.get(queue["url"]).json()["counts"]["confirmed"] == 2
    assert api.get(f"/queues/{queue['id']}/export", params={"to_status": "exported"}).status_code == 400
    bad = api.post(f"/queues/{queue['id']}/export", params={"to_status": "deleted", "status": "confirmed"})
    assert bad.status_code == 400
    emulator.settings.import_delay_s = 0.2
    response = api.post(
        f"/queues/{queue['id']}/export", params={"format": "json", "status": "confirmed", "to_status": "exporting"}
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["exporting", "exporting"]
    assert api.get(queue["url"]).json()["counts"]["exporting"] == 2
    deadline = time.monotonic() + 5
    while api.get(queue["url"]).json()["counts"]["exported"] != 2:
        assert time.monotonic() < deadline, "exporting annotations never became exported"
        time.sleep(0.05)
    csv_post = api.post(f"/queues/{queue['id']}/export", params={"format": "csv", "status": "exported"})
    assert len(list(csv.reader(io.StringIO(csv_post.text)))) == 3


def test_large_csv_export_is_streamed(api, emulator):
    emulator.settings.import_delay_s = 0
    queue = make_queue(api)
    for batch in range(5):  # 2,500 annotations in 5 multi-file uploads
        legacy_upload(api, queue, [(f"d{batch}-{i}.pdf", f"{batch}-{i}".encode()) for i in range(500)])
    with (
        httpx.Client(
            base_url=emulator.base_url, headers={"Authorization": f"Bearer {emulator.token}"}, timeout=60
        ) as client,
        client.stream(
            "GET", f"/queues/{queue['id']}/export", params={"format": "csv", "columns": "meta_file_name,meta_status"}
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in response.headers
        chunks = list(response.iter_raw())
    body = b"".join(chunks).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2501 and rows[0] == ["meta_file_name", "meta_status"]
    assert {row[1] for row in rows[1:]} == {"to_review"}
    assert len({row[0] for row in rows[1:]}) == 2500
    page = api.get(f"/queues/{queue['id']}/export", params={"format": "csv", "page": 3, "page_size": 1000})
    assert len(list(csv.reader(io.StringIO(page.text)))) == 501
    xml = api.get(f"/queues/{queue['id']}/export", params={"format": "xml"})
    assert len(ET.fromstring(xml.content).findall("./results/annotation")) == 2500
