"""Pure parts of pull: keys, YAML output read back by the loader, escaping, secret names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rossum_iac.manifest.yaml_io import parse_documents, plain
from rossum_iac.pull.convert import escape, secret_name
from rossum_iac.pull.keys import assign_keys, slugify
from rossum_iac.pull.write import write_files
from rossum_iac.pull.yaml_out import dump


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Invoices EU", "invoices-eu"),
        ("Faktury ČZ \u2013 došlé", "faktury-cz-dosle"),
        ("  --Hello__World!!  ", "hello-world"),
        ("日本語", "queue"),
        ("", "queue"),
    ],
)
def test_slugify(name: str, key: str) -> None:
    assert slugify(name, "queue") == key


def test_collisions_are_resolved_by_id_order_and_keys_taken_by_owned_objects_are_skipped() -> None:
    keys = assign_keys([(30, "a"), (10, "a"), (20, "a"), (40, "b")], taken={"b": 5})
    assert keys == {10: "a", 20: "a-2", 30: "a-3", 40: "b-2"}


def test_secret_names() -> None:
    assert secret_name("Hook", "erp-notify", "config.secret") == "HOOK_ERP_NOTIFY_SECRET"
    assert secret_name("EmailTemplate", "x", "token") == "EMAIL_TEMPLATE_X_TOKEN"


def test_escape_makes_every_placeholder_literal() -> None:
    assert escape("a ${env.X} b ${var} ${") == "a $${env.X} b $${var} $${"


TRICKY = [
    "yes",
    "no",
    "on",
    "01:00:00",
    "0.8",
    "1e3",
    "null",
    "~",
    "- item",
    "key: value",
    "#comment",
    "  leading spaces",
    "trailing spaces  ",
    "line one\nline two\n",
    "line one\n  indented\nlast",
    "\nstarts with a newline",
    "tab\there",
    "windows\r\nline",
    "emoji 🎉 and ČŽ",
    "'quotes' and \"doubles\"",
    "{{ sender_email }}",
    "@at",
    "*star",
    "&amp",
    "!bang",
    "%percent",
    "`tick`",
]


@pytest.mark.parametrize("text", TRICKY)
def test_yaml_output_reads_back_exactly(text: str) -> None:
    data = {"kind": "Hook", "key": "k", "value": text, "list": [text], "nested": {"v": text}}
    docs = parse_documents(dump(data))
    assert plain(docs[0].data) == data


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1), inner, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_value_reads_back_exactly(value: object) -> None:
    docs = parse_documents(dump({"value": value}))
    assert plain(docs[0].data) == {"value": value}


def test_write_refuses_paths_outside_the_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_files(tmp_path / "out", {"../evil.yaml": "x"})
    assert not (tmp_path / "evil.yaml").exists()
    assert not (tmp_path / "out").exists()
