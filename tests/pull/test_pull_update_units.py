"""Units of ``pull --update``: line merging around placeholders, in-place YAML editing, atomic writes, diffs."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedSeq

from rossum_iac.pull import yaml_edit
from rossum_iac.pull.merge import UNSET, merge_text, placeholders, styled
from rossum_iac.pull.update import split_path
from rossum_iac.pull.yaml_edit import Edits, YamlFile, guess_indent, replace_items, unified_diff, write_edits
from tests.pull.update_stack import STACK

ROOT = Path(__file__).resolve().parents[2]


def test_placeholders_ignore_escaped_ones() -> None:
    assert placeholders("a ${var.x} b ${ref.Queue.q.id} c ${env.Y}") == ["${var.x}", "${ref.Queue.q.id}", "${env.Y}"]
    assert placeholders("$${var.x} and $$${env.Y} and `${name}`") == []


def test_merge_text_takes_live_lines_and_protects_placeholder_lines() -> None:
    raw = "x = ${ref.Queue.a.id}\ny = 1\nz = '$${literal}'\n"
    resolved = "x = 12\ny = 1\nz = '${literal}'\n"
    assert (
        merge_text(raw, resolved, "x = 12\ny = 2\nz = '${literal}'\n")
        == "x = ${ref.Queue.a.id}\ny = 2\nz = '$${literal}'\n"
    )
    assert (
        merge_text(raw, resolved, "x = 12\ny = 1\nz = '${other}'\n")
        == "x = ${ref.Queue.a.id}\ny = 1\nz = '$${other}'\n"
    )
    assert (
        merge_text(raw, resolved, "# new first line\nx = 12\ny = 1\nz = '${literal}'\n") == "# new first line\n" + raw
    )
    assert merge_text(raw, resolved, "x = 13\ny = 1\nz = '${literal}'\n") is None  # the placeholder's line
    assert merge_text(raw, resolved, "y = 1\nz = '${literal}'\n") is None  # deleted
    assert merge_text("a ${var.v}\nb\n", "a 1\n2\nb\n", "a 1\n2\nc\n") is None  # a value over lines: no mapping
    assert merge_text("no placeholders ${x}\n", "no placeholders ${x}\n", "now ${y}\n") == "now $${y}\n"
    # unchanged lines keep how they were written (a JavaScript template literal left unescaped), changed ones are
    # escaped as pull writes them
    js = "const a = `${x}`;\nconst b = 1;\n"
    assert merge_text(js, js, "const a = `${x}`;\nconst b = `${y}`;\n") == "const a = `${x}`;\nconst b = `$${y}`;\n"
    assert merge_text("a ${env.S}\nb\n", f"a {UNSET}\nb\n", "a\nc\n") is None  # not set: not compared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b: 1\nc:\n  - x\n", (2, 4, 2)),
        ("a:\n    b: 1\nc:\n- x\n", (4, 2, 0)),
        ("a:\n- x\nb:\n  c:\n    - y\n", (2, 2, 0)),
        ("a:\n  b:\n    - {x: 1}\n", (2, 4, 2)),
        ("a: 1\nb: [x]\n", (2, 4, 2)),
        ("- a: 1\n  b:\n    - x\n", (2, 4, 2)),
    ],
)
def test_guess_indent(text: str, expected: tuple[int, int, int]) -> None:
    assert guess_indent(text) == expected


def _manifest_files() -> list[Path]:
    return sorted((ROOT / "examples" / "manifests").rglob("*.yaml"))


@pytest.mark.parametrize("path", _manifest_files(), ids=lambda p: p.name)
def test_every_example_document_dumps_back_unchanged(path: Path) -> None:
    text = path.read_text()
    yaml_file = YamlFile(path, text)
    for index in range(len(yaml_file.segments)):
        yaml_file.document(index)
        yaml_file.changed.add(index)
    assert yaml_file.render() == text


def test_the_test_stack_dumps_back_unchanged(tmp_path: Path) -> None:
    for name, raw in STACK.items():
        if not name.endswith(".yaml"):
            continue
        text = textwrap.dedent(raw).lstrip("\n")
        yaml_file = YamlFile(tmp_path / name, text)
        for index in range(len(yaml_file.segments)):
            yaml_file.document(index)
            yaml_file.changed.add(index)
        assert yaml_file.render() == text, name


MULTI = """\
# first
kind: Workspace
key: a
name: A   # keep me
---
# second
kind: Workspace
key: b
name:   "B"      # odd spacing, only changed documents are dumped again
metadata: {team: x}
---
kind: Workspace
key: c
name: C
"""


def test_only_the_changed_document_is_dumped_again(tmp_path: Path) -> None:
    yaml_file = YamlFile(tmp_path / "w.yaml", MULTI)
    assert yaml_file.start_lines == [1, 5, 11] and yaml_file.line_offsets == [0, 4, 10]
    index = yaml_file.find("Workspace", "c", line=12)
    assert index == 2
    doc = yaml_file.document(index)
    doc["name"] = "C2"
    yaml_file.changed.add(index)
    assert yaml_file.render() == MULTI.replace("name: C\n", "name: C2\n")
    assert yaml_file.find("Workspace", "a") == 0 and yaml_file.find("Workspace", "zz") is None


def test_sequences_keep_comments_of_items_that_stay() -> None:
    text = "items:\n  # one\n  - a\n  # two\n  - b\n  - c   # three\n"
    yaml_file = YamlFile(Path("x.yaml"), text)
    doc = yaml_file.document(0)
    seq: CommentedSeq = doc["items"]
    assert replace_items(seq, [seq[0], seq[2], "d"])
    assert not replace_items(seq, list(seq))
    yaml_file.changed.add(0)
    assert yaml_file.render() == "items:\n  # one\n  - a\n  # two\n  - c   # three\n  - d\n"


def test_styled_keeps_quotes_literal_blocks_and_flow_lists() -> None:
    text = "a: 'x'\nb: \"y\"\nc: |\n  one\n  two\nd: [1, 2]\n"
    yaml_file = YamlFile(Path("s.yaml"), text)
    doc = yaml_file.document(0)
    doc["a"] = styled("x2", doc["a"])
    doc["b"] = styled("y2", doc["b"])
    doc["c"] = styled("one\nthree\n", doc["c"])
    doc["d"] = styled([3], doc["d"])
    yaml_file.changed.add(0)
    assert yaml_file.render() == "a: 'x2'\nb: \"y2\"\nc: |\n  one\n  three\nd: [3]\n"


def test_split_path_handles_dots_inside_keys() -> None:
    fields: dict[str, Any] = {"metadata": {"a.b": {"c": 1}}, "config": {"url": "u"}}
    assert split_path(fields, "metadata.a.b.c") == ["metadata", "a.b", "c"]
    assert split_path(fields, "config.url") == ["config", "url"]
    assert split_path(fields, "settings.x") is None


def test_write_edits_is_atomic_and_keeps_crlf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a: 1\r\nb: 2\r\n")
    second.write_bytes(b"c: 3\n")
    edits = Edits(tmp_path)
    edits.write_text(first, "a: 1\nb: 5\n")
    edits.write_text(second, "c: 4\n")
    changes = edits.changes()
    assert list(changes) == [first.resolve(), second.resolve()]

    real = yaml_edit.tempfile.mkstemp
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(yaml_edit.tempfile, "mkstemp", failing)
    with pytest.raises(OSError):
        write_edits(changes)
    assert first.read_bytes() == b"a: 1\r\nb: 2\r\n" and second.read_bytes() == b"c: 3\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]  # no temporary file left
    monkeypatch.setattr(yaml_edit.tempfile, "mkstemp", real)
    second.write_bytes(b"c: 3 # edited meanwhile\n")
    with pytest.raises(yaml_edit.ChangedMeanwhile, match=r"b\.yaml changed since it was read; nothing was written"):
        write_edits(changes)
    assert first.read_bytes() == b"a: 1\r\nb: 2\r\n"
    second.write_bytes(b"c: 3\n")
    assert write_edits(changes) == [first.resolve(), second.resolve()]
    assert first.read_bytes() == b"a: 1\r\nb: 5\r\n" and second.read_bytes() == b"c: 4\n"


def test_unified_diff_is_git_like(tmp_path: Path) -> None:
    path = (tmp_path / "sub" / "f.py").resolve()
    diff = unified_diff({path: ("x = 1\ny = 2", "x = 1\ny = 3")}, tmp_path)
    assert diff == (
        "--- a/sub/f.py\n+++ b/sub/f.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n\\ No newline at end of file\n"
        "+y = 3\n\\ No newline at end of file\n"
    )
