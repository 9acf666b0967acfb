"""Serializers for ``/queues/{id}/export``: CSV, XLSX, XML (and the JSON record shape).

Everything here is a generator of ``bytes`` chunks fed by an iterator of export records, so an
export of many annotations is produced incrementally and never held in memory whole.

An *export record* is a dict ``{"annotation": {...}, "document": {...} | None, "content": [...]}``
where ``annotation`` is the annotation object as served by the API and ``content`` its content tree.

Table layout (CSV/XLSX; the reference only says "default is to export all fields defined in a
schema"): one line per annotation, or — when selected columns belong to multivalues — one line per
row of the longest such multivalue, header fields repeated on every line (rows of different
multivalues are aligned by index). Header cells are schema labels for datapoints and the column name
for ``meta_*`` columns. Datapoints with ``can_export: false`` are skipped from the default columns.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rossum_iac.emulator.resources._content_tree import export_tree, iter_nodes, schema_datapoints, schema_index

JSON = dict[str, Any]

META_COLUMNS = (
    "meta_arrived_at",
    "meta_file",
    "meta_file_name",
    "meta_status",
    "meta_url",
    "meta_automated",
    "meta_modified_at",
    "meta_assigned_at",
)
QUOTING = {
    "quote_minimal": csv.QUOTE_MINIMAL,
    "quote_none": csv.QUOTE_NONE,
    "quote_all": csv.QUOTE_ALL,
    "quote_non_numeric": csv.QUOTE_NONNUMERIC,
}
CHUNK_SIZE = 64 * 1024


class ExportError(ValueError):
    """Invalid export parameters (HTTP 400)."""


# --------------------------------------------------------------------------- columns and rows


def resolve_columns(
    schema_content: list[JSON], columns: list[str] | None, prepend: list[str], append: list[str]
) -> list[str]:
    if columns:
        selected = list(columns)
    else:
        default = [node["id"] for node in schema_datapoints(schema_content) if node.get("can_export") is not False]
        default = [node_id for node_id in default if _schema_type(schema_content, node_id) != "button"]
        selected = [*prepend, *default, *append]
    known = schema_index(schema_content)
    for column in selected:
        if column not in META_COLUMNS and (column not in known or known[column].get("category") != "datapoint"):
            raise ExportError(f"Unknown export column {column!r}: use a datapoint schema id or one of {META_COLUMNS}.")
    return selected


def _schema_type(schema_content: list[JSON], node_id: str) -> Any:
    return (schema_index(schema_content).get(node_id) or {}).get("type")


def header_labels(schema_content: list[JSON], columns: list[str]) -> list[str]:
    known = schema_index(schema_content)
    return [column if column in META_COLUMNS else str(known[column].get("label") or column) for column in columns]


def _meta_value(record: JSON, column: str) -> str:
    annotation = record["annotation"]
    document = record.get("document") or {}
    if column == "meta_arrived_at":
        return str(annotation.get("arrived_at") or document.get("arrived_at") or "")
    if column == "meta_file":
        return str(document.get("content") or "")
    if column == "meta_file_name":
        return str(document.get("original_file_name") or "")
    if column == "meta_status":
        return str(annotation.get("status") or "")
    if column == "meta_url":
        return str(annotation.get("url") or "")
    if column == "meta_automated":
        return "true" if annotation.get("automated") else "false"
    if column == "meta_modified_at":
        return str(annotation.get("modified_at") or "")
    if column == "meta_assigned_at":
        return str(annotation.get("assigned_at") or "")
    return ""


def record_rows(record: JSON, columns: list[str]) -> list[list[str]]:
    """The table lines of one annotation (see the module docstring)."""
    single: dict[str, str] = {}
    tables: dict[str, list[str]] = {}
    for node, parent in iter_nodes(record.get("content") or []):
        if node.get("category") != "datapoint":
            continue
        schema_id = node.get("schema_id", "")
        value = (node.get("content") or {}).get("value")
        text = "" if value is None else str(value)
        in_table = parent is not None and parent.get("category") in ("multivalue", "tuple")
        if in_table:
            tables.setdefault(schema_id, []).append(text)
        else:
            single.setdefault(schema_id, text)
    line_count = max([1] + [len(tables[column]) for column in columns if column in tables])
    lines = []
    for index in range(line_count):
        line = []
        for column in columns:
            if column in META_COLUMNS:
                line.append(_meta_value(record, column))
            elif column in tables:
                values = tables[column]
                line.append(values[index] if index < len(values) else "")
            else:
                line.append(single.get(column, ""))
        lines.append(line)
    return lines


# --------------------------------------------------------------------------- CSV


class ByteSink(io.RawIOBase):
    """Write-only byte buffer that is drained by the generator (not seekable: zipfile streams)."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self.size += len(chunk)
        return len(chunk)

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        self.size = 0
        return data


def csv_options(params: dict[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {"lineterminator": "\r\n"}
    for name, key in (("delimiter", "delimiter"), ("quote_char", "quotechar"), ("escape_char", "escapechar")):
        value = params.get(name)
        if value:
            if len(value) != 1:
                raise ExportError(f"'{name}' must be a one-character string.")
            options[key] = value
    quoting = params.get("quoting")
    if quoting:
        if quoting not in QUOTING:
            raise ExportError(f"'quoting' must be one of {', '.join(QUOTING)}.")
        options["quoting"] = QUOTING[quoting]
        if quoting == "quote_none" and "escapechar" not in options:
            raise ExportError("'escape_char' is required when quoting=quote_none.")
    return options


def csv_chunks(header: list[str], lines: Iterable[list[str]], options: dict[str, Any]) -> Iterator[bytes]:
    text = io.StringIO()
    writer = csv.writer(text, **options)
    writer.writerow(header)
    for line in lines:
        writer.writerow(line)
        if text.tell() >= CHUNK_SIZE:
            yield text.getvalue().encode("utf-8")
            text.seek(0)
            text.truncate()
    if text.tell():
        yield text.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- XLSX

_XLSX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_XLSX_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_XLSX_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="export" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_XLSX_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
XLSX_SHEET_PATH = "xl/worksheets/sheet1.xml"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xml_text(value: str) -> str:
    # XML 1.0 forbids most control characters; drop them rather than produce an unreadable sheet.
    cleaned = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)
    return escape(cleaned)


def _xlsx_row(number: int, cells: list[str]) -> str:
    parts = [f'<row r="{number}">']
    for index, cell in enumerate(cells):
        ref = f"{_column_letters(index)}{number}"
        parts.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(cell)}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def xlsx_chunks(header: list[str], lines: Iterable[list[str]]) -> Iterator[bytes]:
    sink = ByteSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _XLSX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _XLSX_ROOT_RELS)
        archive.writestr("xl/workbook.xml", _XLSX_WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _XLSX_WORKBOOK_RELS)
        with archive.open(XLSX_SHEET_PATH, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(_xlsx_row(1, header).encode("utf-8"))
            for number, line in enumerate(lines, start=2):
                sheet.write(_xlsx_row(number, line).encode("utf-8"))
                if sink.size >= CHUNK_SIZE:
                    yield sink.drain()
            sheet.write(b"</sheetData></worksheet>")
    yield sink.drain()


# --------------------------------------------------------------------------- JSON / XML records


def json_record(record: JSON, schema_content: list[JSON]) -> JSON:
    """The documented JSON export shape of one annotation."""
    annotation = record["annotation"]
    document = record.get("document") or {}
    return {
        "url": annotation.get("url"),
        "status": annotation.get("status"),
        "arrived_at": annotation.get("arrived_at") or document.get("arrived_at"),
        "exported_at": annotation.get("exported_at"),
        "document": {
            "url": document.get("url"),
            "file_name": document.get("original_file_name"),
            "file": document.get("content"),
        },
        "modifier": {"url": annotation["modifier"]} if annotation.get("modifier") else None,
        "schema": {"url": annotation.get("schema")},
        "metadata": annotation.get("metadata") or {},
        "content": export_tree(record.get("content") or [], schema_content),
    }


def _xml_node(node: JSON) -> str:
    category = node.get("category") or "datapoint"
    schema_attr = f" schema_id={quoteattr(str(node.get('schema_id') or ''))}"
    if category == "datapoint":
        attrs = schema_attr
        if node.get("type") is not None:
            attrs += f" type={quoteattr(str(node['type']))}"
        if node.get("rir_confidence") is not None:
            attrs += f" rir_confidence={quoteattr(str(node['rir_confidence']))}"
        value = node.get("value")
        return f"<datapoint{attrs}>{_xml_text('' if value is None else str(value))}</datapoint>"
    inner = "".join(_xml_node(child) for child in node.get("children") or [])
    return f"<{category}{schema_attr}>{inner}</{category}>"


def xml_annotation(record: JSON, schema_content: list[JSON]) -> str:
    data = json_record(record, schema_content)
    document = data["document"]
    modifier = data["modifier"]
    metadata = data["metadata"]

    def element(name: str, value: Any) -> str:
        return f"<{name}/>" if value in (None, "") else f"<{name}>{_xml_text(str(value))}</{name}>"

    parts = [
        f"<annotation url={quoteattr(str(data['url']))}>",
        element("status", data["status"]),
        element("arrived_at", data["arrived_at"]),
        element("exported_at", data["exported_at"]),
        f"<document url={quoteattr(str(document['url'] or ''))}>",
        element("file_name", document["file_name"]),
        element("file", document["file"]),
        "</document>",
        f"<modifier url={quoteattr(str(modifier['url']))}/>" if modifier else "<modifier/>",
        f"<schema url={quoteattr(str(data['schema']['url'] or ''))}/>",
        element("metadata", json.dumps(metadata, sort_keys=True) if metadata else None),
        "<content>",
        "".join(_xml_node(section) for section in data["content"]),
        "</content>",
        "</annotation>",
    ]
    return "".join(parts)


def xml_chunks(records: Iterable[JSON], schema_content: list[JSON], pagination: JSON) -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="utf-8"?><export><results>'
    buffer: list[str] = []
    size = 0
    for record in records:
        text = xml_annotation(record, schema_content)
        buffer.append(text)
        size += len(text)
        if size >= CHUNK_SIZE:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")

    def element(name: str, value: Any) -> str:
        return f"<{name}/>" if value is None else f"<{name}>{_xml_text(str(value))}</{name}>"

    tail = (
        "</results><pagination>"
        + element("next", pagination.get("next"))
        + element("previous", pagination.get("previous"))
        + element("total", pagination.get("total"))
        + element("total_pages", pagination.get("total_pages"))
        + "</pagination></export>"
    )
    yield tail.encode("utf-8")
