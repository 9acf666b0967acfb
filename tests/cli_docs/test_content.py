"""Annotation content: outline for display, ``--set`` to bulk operations."""

from __future__ import annotations

import pytest

from rossum_iac.cli._render import render_tree
from rossum_iac.ops.content import ContentEditError, display_value, iter_datapoints, outline, replace_operations

CONTENT = [
    {
        "id": 1,
        "category": "section",
        "schema_id": "basic_info",
        "children": [
            {"id": 2, "category": "datapoint", "schema_id": "document_id", "content": {"value": "INV-1"}},
            {"id": 3, "category": "datapoint", "schema_id": "date_issue", "content": {"value": ""}},
            {"id": 4, "category": "datapoint", "schema_id": "notes", "content": {"value": "line one\nline two"}},
        ],
    },
    {
        "id": 10,
        "category": "section",
        "schema_id": "line_items_section",
        "children": [
            {
                "id": 11,
                "category": "multivalue",
                "schema_id": "line_items",
                "children": [
                    {
                        "id": 12,
                        "category": "tuple",
                        "schema_id": "line_item",
                        "children": [
                            {
                                "id": 13,
                                "category": "datapoint",
                                "schema_id": "item_desc",
                                "content": {"value": "Bottle"},
                            },
                            {"id": 14, "category": "datapoint", "schema_id": "item_amount", "content": {"value": "3"}},
                        ],
                    },
                    {
                        "id": 15,
                        "category": "tuple",
                        "schema_id": "line_item",
                        "children": [
                            {"id": 16, "category": "datapoint", "schema_id": "item_desc", "content": {"value": "Can"}},
                            {"id": 17, "category": "datapoint", "schema_id": "item_amount", "content": {"value": "4"}},
                        ],
                    },
                ],
            },
            {
                "id": 20,
                "category": "multivalue",
                "schema_id": "po_numbers",
                "children": [{"id": 21, "category": "datapoint", "schema_id": "po", "content": {"value": "PO-9"}}],
            },
            {"id": 22, "category": "datapoint", "schema_id": "send_button", "content": None},
        ],
    },
]


def test_iter_datapoints_in_document_order():
    assert [n["id"] for n in iter_datapoints(CONTENT)] == [2, 3, 4, 13, 14, 16, 17, 21, 22]


def test_outline_renders_as_tree():
    expected = """basic_info
|-- document_id: INV-1
|-- date_issue: (empty)
`-- notes: line one line two
line_items_section
|-- line_items (2 rows)
|   |-- row 1
|   |   |-- item_desc: Bottle
|   |   `-- item_amount: 3
|   `-- row 2
|       |-- item_desc: Can
|       `-- item_amount: 4
|-- po_numbers (1 row)
|   `-- [1] PO-9
`-- send_button: (empty)"""
    assert render_tree(outline(CONTENT), unicode=False) == expected


def test_unicode_tree_guides():
    text = render_tree(outline(CONTENT[:1]), unicode=True)
    assert text.splitlines()[1] == "├── document_id: INV-1"
    assert text.splitlines()[3] == "└── notes: line one line two"


def test_display_value_cuts_long_values():
    assert display_value("x" * 100, width=10) == "x" * 9 + "…"


def test_replace_operations_by_schema_id():
    ops = replace_operations(CONTENT, [("document_id", "INV-2"), ("po", "PO-1")], 5)
    assert ops == [
        {"op": "replace", "id": 2, "value": {"content": {"value": "INV-2"}}},
        {"op": "replace", "id": 21, "value": {"content": {"value": "PO-1"}}},
    ]


def test_unknown_field_lists_known_ones():
    with pytest.raises(ContentEditError, match=r"annotation 5 has no field 'amount_total' \(fields: date_issue, "):
        replace_operations(CONTENT, [("amount_total", "1")], 5)


def test_table_column_is_refused():
    with pytest.raises(ContentEditError, match="'item_desc' of annotation 5 is a table column \\(2 cells\\)"):
        replace_operations(CONTENT, [("item_desc", "x")], 5)


def test_value_length_limit():
    with pytest.raises(ContentEditError, match="at most 1500"):
        replace_operations(CONTENT, [("document_id", "x" * 1501)], 5)
