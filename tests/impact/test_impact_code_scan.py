"""Schema-id mentions in TxScript, Python and JavaScript text: comments and string contents are not code."""

from __future__ import annotations

from rossum_iac.manifest.code_scan import code_mentions, field_mentions, placeholder_mentions, segments


def ids(mentions: list) -> list[str]:
    return [m.schema_id for m in mentions]


def test_field_accessors_in_txscript() -> None:
    text = "field.amount_total > 100 and len(field.document_id) < 10 and field.line_items.all_values"
    assert ids(field_mentions(text)) == ["amount_total", "document_id", "line_items"]
    assert text[field_mentions(text)[1].offset :].startswith("document_id")


def test_comments_and_strings_are_not_code() -> None:
    text = '# field.in_comment\nfield.real == "field.in_string" # field.trailing\n'
    assert ids(field_mentions(text)) == ["real"]


def test_identifier_ending_in_field_is_not_the_accessor() -> None:
    assert ids(field_mentions("myfield.x + subfield.y + t.field.z")) == ["z"]


def test_loop_rows_getattr_and_fstrings() -> None:
    text = (
        "for row in t.field.line_items:\n"
        "    print(row.item_amount, row.attr, f'{t.field.total:.2f} {{field.literal}}')\n"
        "getattr(field, 'dynamic')\n"
    )
    assert ids(field_mentions(text)) == ["line_items", "item_amount", "total", "dynamic"]


def test_triple_quoted_and_prefixed_strings() -> None:
    text = 'x = """\nfield.doc\n"""\ny = rb"field.raw"\nfield.after\n'
    assert ids(field_mentions(text)) == ["after"]
    assert [(s.kind, text[s.start : s.end]) for s in segments(text) if s.kind == "string"] == [
        ("string", "\nfield.doc\n"),
        ("string", "field.raw"),
    ]


def test_literals_in_schema_id_positions_are_keyed() -> None:
    code = (
        'if node["schema_id"] == "vendor_id":\n'
        "    pass\n"
        'if "po_number" == dp.schema_id: pass\n'
        'if dp["schema_id"] in ("a1", "a2"): pass\n'
        'find_by_schema_id(content, "total")\n'
        'status = "exported"\n'
        '{"schema_id": "amount"}\n'
    )
    found = {m.schema_id: m.keyed for m in code_mentions(code, "python") if m.how == "literal"}
    assert found == {
        "schema_id": False,
        "vendor_id": True,
        "po_number": True,
        "a1": True,
        "a2": True,
        "total": True,
        "exported": False,
        "amount": True,
    }


def test_javascript_comments_strings_and_template_literals() -> None:
    code = (
        "// field.commented and 'po_in_comment'\n"
        "/* schema_id === 'blocked' */\n"
        "if (dp.schema_id === 'vendor_id') { msg = `total ${field.amount_total}`; }\n"
        "const s = 'not_keyed';\n"
    )
    found = code_mentions(code, "javascript")
    assert [(m.schema_id, m.how, m.keyed) for m in found] == [
        ("vendor_id", "literal", True),
        ("amount_total", "field", False),
        ("not_keyed", "literal", False),
    ]


def test_python_hash_is_not_a_comment_in_javascript() -> None:
    assert ids(field_mentions("a = 1 # field.x", "javascript")) == ["x"]
    assert ids(field_mentions("a = 1 # field.x", "python")) == []


def test_email_placeholders() -> None:
    text = "<p>{{ annotation.content.value.date_issue }} {{document_list}} {{annotation.content.value.total|upper}}</p>"
    assert ids(placeholder_mentions(text)) == ["date_issue", "total"]


def test_unterminated_string_does_not_swallow_the_rest_of_a_line_based_text() -> None:
    text = "x = 'open\nfield.after\n"
    assert ids(field_mentions(text)) == ["after"]
