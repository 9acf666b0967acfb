"""Schema content rules, inline and in included JSON/YAML files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from rossum_iac.manifest import load_stack
from rossum_iac.manifest.schema_validation import manifest_schema

from .helpers import errors_in, one_error, write_tree

REAL_SCHEMA = Path(__file__).parent / "data" / "real_schema.json"


def _schema_doc(content_yaml: str) -> str:
    return "kind: Schema\nkey: s\nname: S\ncontent:\n" + textwrap.indent(textwrap.dedent(content_yaml), "  ")


def _dp(node_id: str, label: str = "L", kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"category": "datapoint", "id": node_id, "label": label, "type": kind, **extra}


def _section(*children: dict[str, Any], node_id: str = "sec") -> dict[str, Any]:
    return {"category": "section", "id": node_id, "label": "Section", "children": list(children)}


def _write_json_schema(tmp_path: Path, content: list[dict[str, Any]]) -> Path:
    files = {
        "s.yaml": "kind: Schema\nkey: s\nname: S\ncontent: {file: s.json}\n",
        "s.json": json.dumps(content, indent=2),
    }
    return write_tree(tmp_path, files)


CASES = [
    pytest.param([_dp("loose")], "the top level of a schema holds only sections; datapoint 'loose'", id="top-level"),
    pytest.param(
        [_section(_dp("a"), {"category": "section", "id": "inner", "label": "I", "children": []})],
        "a section holds datapoints and multivalues, not a section ('inner')",
        id="section-in-section",
    ),
    pytest.param(
        [_section({"category": "tuple", "id": "t", "label": "T", "children": [_dp("c")]})],
        "tuple 't' must be the child of a multivalue (a table), not of a section",
        id="tuple-outside-multivalue",
    ),
    pytest.param(
        [_section({"category": "multivalue", "id": "mv", "label": "M", "children": [_dp("c")]})],
        "children of multivalue 'mv' must be a single tuple or datapoint (a mapping), not a list",
        id="multivalue-list-children",
    ),
    pytest.param(
        [
            _section(
                {
                    "category": "multivalue",
                    "id": "mv",
                    "label": "M",
                    "children": {"category": "multivalue", "id": "x", "label": "X", "children": _dp("y")},
                }
            )
        ],
        "a multivalue holds a single tuple or datapoint, not a multivalue ('x')",
        id="multivalue-in-multivalue",
    ),
    pytest.param(
        [
            _section(
                {
                    "category": "multivalue",
                    "id": "mv",
                    "label": "M",
                    "children": {
                        "category": "tuple",
                        "id": "t",
                        "label": "T",
                        "children": [{"category": "multivalue", "id": "x", "label": "X", "children": _dp("y")}],
                    },
                }
            )
        ],
        "a tuple holds only datapoints, not a multivalue ('x')",
        id="tuple-children",
    ),
    pytest.param(
        [_section({"category": "multivalue", "id": "mv", "label": "M", "children": _dp("b", kind="button")})],
        "button 'b' cannot be the direct child of a multivalue",
        id="button-in-multivalue",
    ),
    pytest.param([_section(_dp("a", kind="text"))], "datapoint 'a' has type 'text'", id="datapoint-type"),
    pytest.param(
        [_section({"category": "datapoint", "id": "a", "label": "A"})], "datapoint 'a' has no type", id="no-type"
    ),
    pytest.param(
        [_section(_dp("e", kind="enum"))],
        "enum 'e' needs options: a list of {value, label} ([] when an extension fills them at run time)",
        id="enum-no-options",
    ),
    pytest.param(
        [_section(_dp("e", kind="enum", options=[{"value": "a"}]))],
        "option 1 of enum 'e' has no label",
        id="enum-option-label",
    ),
    pytest.param(
        [_section(_dp("a", width=10))],
        "width is only allowed on table columns (datapoints inside a tuple); 'a' is in a section",
        id="table-only-width",
    ),
    pytest.param(
        [_section(_dp("a", stretch=True))],
        "stretch is only allowed on table columns",
        id="table-only-stretch",
    ),
    pytest.param([_section(_dp("x" * 51))], "is 51 characters long; at most 50 are allowed", id="long-id"),
    pytest.param(
        [_section({"category": "datapoint", "id": "a", "type": "string"})],
        "schema node 'a' has no label",
        id="no-label",
    ),
    pytest.param([_section({"category": "field", "id": "a", "label": "A"})], "unknown category 'field'", id="category"),
    pytest.param([_section(_dp("a", hidden="yes"))], "hidden of 'a' must be true or false", id="attribute-type"),
]


DUPLICATE_ID = pytest.param(
    [_section(_dp("a"), _dp("a"))], "id 'a' is used more than once in this schema", id="duplicate-id"
)  # uniqueness cannot be expressed in JSON Schema: only the loader checks it


@pytest.mark.parametrize(("content", "words"), [*CASES, DUPLICATE_ID])
def test_content_rule_violations(tmp_path: Path, content: list[dict[str, Any]], words: str) -> None:
    err = one_error(_write_json_schema(tmp_path, content))
    assert err.file == tmp_path / "s.json"
    assert err.line > 0, "errors in included JSON point at a line"
    assert words in err.message


@pytest.mark.parametrize(("content", "words"), CASES)
def test_the_json_schema_rejects_the_same_content(content: list[dict[str, Any]], words: str) -> None:
    document = {"kind": "Schema", "key": "s", "name": "S", "content": content}
    assert list(Draft202012Validator(manifest_schema()).iter_errors(document)), words


def test_inline_content_errors_point_into_the_manifest(tmp_path: Path) -> None:
    doc = _schema_doc(
        """\
        - category: section
          id: sec
          label: Sec
          children:
            - category: datapoint
              id: amount
              label: Amount
              type: number
              width: 8
        """
    )
    err = one_error(write_tree(tmp_path, {"s.yaml": doc}))
    assert (err.file.name, err.line, err.column) == ("s.yaml", 13, 9)
    assert "width is only allowed on table columns" in err.message


def test_included_yaml_content_errors_point_into_the_included_file(tmp_path: Path) -> None:
    files = {
        "schemas/s.yaml": "kind: Schema\nkey: s\nname: S\ncontent: {file: content/s.yaml}\n",
        "schemas/content/s.yaml": "- category: section\n  id: sec\n  label: Sec\n  children:\n"
        "    - {category: datapoint, id: a, label: A, type: money}\n",
    }
    root = write_tree(tmp_path, files)
    err = one_error(root)
    assert (err.file, err.line, err.column) == (root / "schemas" / "content" / "s.yaml", 5, 52)
    assert "datapoint 'a' has type 'money'" in err.message


def test_content_must_be_a_list(tmp_path: Path) -> None:
    err = one_error(write_tree(tmp_path, {"s.yaml": "kind: Schema\nkey: s\nname: S\ncontent: {category: section}\n"}))
    assert "schema content must be a list of sections" in err.message


def test_content_file_of_another_type_is_rejected(tmp_path: Path) -> None:
    files = {"s.yaml": "kind: Schema\nkey: s\nname: S\ncontent: {file: s.txt}\n", "s.txt": "[]"}
    err = one_error(write_tree(tmp_path, files))
    assert "schema content must be a .json, .yaml or .yml file" in err.message


def test_invalid_json_content_reports_its_position(tmp_path: Path) -> None:
    files = {"s.yaml": "kind: Schema\nkey: s\nname: S\ncontent: {file: s.json}\n", "s.json": '[\n  {"id": 1,}\n]\n'}
    err = one_error(write_tree(tmp_path, files))
    assert (err.file.name, err.line) == ("s.json", 2)
    assert "invalid JSON" in err.message


def test_valid_table_with_buttons_in_the_tuple(tmp_path: Path) -> None:
    table = {
        "category": "multivalue",
        "id": "items",
        "label": "Items",
        "children": {
            "category": "tuple",
            "id": "item",
            "label": "Item",
            "children": [_dp("desc", width=30, stretch=True, can_collapse=True), _dp("btn", kind="button")],
        },
    }
    content = [_section(_dp("a", kind="enum", options=[{"value": "x", "label": "X"}]), table)]
    assert errors_in(_write_json_schema(tmp_path, content)) == []


def test_a_realistic_large_schema_passes(tmp_path: Path) -> None:
    real = json.loads(REAL_SCHEMA.read_text())
    files = {
        "s.yaml": "kind: Schema\nkey: real\nname: Real\ncontent: {file: real.json}\n",
        "real.json": json.dumps(real["content"], indent=2),
    }
    stack = load_stack(write_tree(tmp_path, files))
    schema = stack.get("Schema", "real")
    assert schema is not None
    assert schema.fields["content"] == real["content"]
    document = {"kind": "Schema", "key": "real", "name": "Real", "content": real["content"]}
    assert list(Draft202012Validator(manifest_schema()).iter_errors(document)) == []


def test_enum_with_empty_options_is_valid(tmp_path: Path) -> None:
    # live schemas hold enums whose options an extension fills at run time: the API returns options: []
    content = [_section(_dp("order_match", kind="enum", options=[]), _dp("e2", kind="enum", options=[]))]
    assert errors_in(_write_json_schema(tmp_path, content)) == []
    document = {"kind": "Schema", "key": "s", "name": "S", "content": content}
    assert list(Draft202012Validator(manifest_schema()).iter_errors(document)) == []
