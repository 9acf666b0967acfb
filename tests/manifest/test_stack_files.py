"""What the loader reads from a stack directory: regular files inside it, of a bounded size; and the documented
4 kB metadata limit. (End to end through the CLI, with memory and time bounds: tests/reliability/.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rossum_iac.manifest.files import FileProblem, ManifestFiles, decode_utf8
from rossum_iac.manifest.limits import metadata_problem
from rossum_iac.manifest.loader import load


@pytest.fixture
def root(tmp_path: Path) -> Path:
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "rossum.yaml").write_text("stack: s\n")
    (stack / "ok.yaml").write_text("kind: Workspace\nkey: w\nname: W\n")
    (tmp_path / "outside.yaml").write_text("kind: Workspace\nkey: x\nname: OUTSIDE\n")
    return stack


def problem(path: Path, root: Path, limit: int = 1000) -> str:
    with pytest.raises(FileProblem) as caught:
        ManifestFiles(root.resolve()).read(path, limit)
    return str(caught.value)


def test_regular_files_inside_are_read(root: Path) -> None:
    (root / "link.yaml").symlink_to(root / "ok.yaml")
    assert ManifestFiles(root.resolve()).read(root / "link.yaml") == (root / "ok.yaml").read_bytes()


def test_what_is_refused_and_why(root: Path) -> None:
    (root / "out.yaml").symlink_to(root.parent / "outside.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(root / "pipe.yaml")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    (root / "gone.yaml").symlink_to(root / "nowhere.yaml")
    (root / "dir.yaml").mkdir()
    (root / "big.yaml").write_bytes(b"x" * 1001)
    assert "outside the manifest directory" in problem(root / "out.yaml", root)
    assert "/dev/zero, outside" in problem(root / "zero.yaml", root)
    assert problem(root / "pipe.yaml", root).startswith("is a named pipe, not a regular file")
    assert "loops" in problem(root / "loop.yaml", root)
    assert "leads nowhere" in problem(root / "gone.yaml", root)
    assert problem(root / "dir.yaml", root).startswith("is a directory")
    assert "1,001 bytes, more than the 1,000 bytes" in problem(root / "big.yaml", root)


def test_the_loader_reports_each_refused_file_and_reads_nothing_outside(root: Path) -> None:
    (root / "out.yaml").symlink_to(root.parent / "outside.yaml")
    os.mkfifo(root / "pipe.yaml")
    result = load(root, environ={})
    messages = {e.file.name: e.message for e in result.errors}
    assert set(messages) == {"out.yaml", "pipe.yaml"}
    assert messages["pipe.yaml"].startswith("this file is a named pipe")
    assert result.stack is None


def test_an_unreadable_stack_file_is_the_only_error(root: Path) -> None:
    (root / "rossum.yaml").unlink()
    (root / "rossum.yaml").symlink_to(root.parent / "outside.yaml")
    (root / "uses-a-variable.yaml").write_text("kind: Workspace\nkey: v\nname: ${var.missing}\n")
    [error] = load(root, environ={}).errors
    assert error.file.name == "rossum.yaml" and "outside the manifest directory" in error.message


def test_undecodable_bytes_are_located() -> None:
    assert decode_utf8("é\n".encode()) == ("é\n", (0, 0), "")
    assert decode_utf8(b"a: 1\nb: caf\xe9\n") == (None, (2, 7), "byte 0xe9 at offset 11")


def test_metadata_over_4_kB_with_the_marker_is_refused(root: Path) -> None:
    assert metadata_problem({"a": "x" * 3900}, "s", "k", False) is None
    message = metadata_problem({"a": "x" * 4080}, "s", "k", True)
    assert message is not None and "4,096 bytes" in message and "ownership marker" in message
    (root / "meta.yaml").write_text("kind: Queue\nkey: q\nname: Q\nworkspace: w\nschema: s\nmetadata:\n  a: "
                                    + "x" * 4100 + "\n")  # fmt: skip
    errors = [e for e in load(root, environ={}).errors if "4 kB" in e.message]
    assert [(e.file.name, e.line) for e in errors] == [("meta.yaml", 7)]
