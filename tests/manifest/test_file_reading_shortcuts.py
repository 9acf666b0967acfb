"""The shortcuts of ``manifest.files`` (issue 13) give what the long way gives: a path below the root without
symbolic links is resolved part by part below the root only, anything else by ``Path.resolve``; a file is read
by its size plus one byte, and on if it grew."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rossum_iac.manifest import files
from rossum_iac.manifest.files import FileProblem, ManifestFiles


def resolve_inside(path: Path, root_resolved: Path) -> Path:
    return ManifestFiles(root_resolved).resolve(path)


def below_root(path: Path, root_resolved: Path) -> Path | None:
    """The short way alone, as a path (None: the long way is needed)."""
    found = ManifestFiles(root_resolved)._below_root(path)
    return Path(found[0]) if found is not None else None


def read_file(path: Path, root_resolved: Path, limit: int = files.MAX_FILE_BYTES) -> bytes:
    return ManifestFiles(root_resolved).read(path, limit)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    stack = tmp_path / "stack"
    (stack / "hooks").mkdir(parents=True)
    (stack / "hooks" / "a.yaml").write_text("kind: Hook\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.yaml").write_text("outside\n")
    return stack


def test_a_plain_path_below_the_root_resolves_as_path_resolve_does(root: Path) -> None:
    path = root / "hooks" / "a.yaml"
    assert resolve_inside(path, root.resolve()) == path.resolve(strict=True)
    assert below_root(path, root.resolve()) == path.resolve(strict=True)


def test_a_relative_path_counts_from_the_working_directory(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root.parent)
    path = Path("stack") / "hooks" / "a.yaml"
    assert resolve_inside(path, root.resolve()) == path.resolve(strict=True)


def test_links_dots_and_missing_parts_take_the_long_way(root: Path) -> None:
    resolved = root.resolve()
    (root / "inside").symlink_to(root / "hooks")
    (root / "out").symlink_to(root.parent / "elsewhere")
    assert below_root(root / "inside" / "a.yaml", resolved) is None
    assert below_root(root / "hooks" / ".." / "hooks" / "a.yaml", resolved) is None
    assert below_root(root / "hooks" / "nothing.yaml", resolved) is None
    assert below_root(root.parent / "elsewhere" / "b.yaml", resolved) is None
    assert resolve_inside(root / "inside" / "a.yaml", resolved) == (root / "hooks" / "a.yaml").resolve()
    with pytest.raises(FileProblem, match="outside the manifest directory"):
        resolve_inside(root / "out" / "b.yaml", resolved)
    with pytest.raises(FileProblem, match="cannot be read"):
        resolve_inside(root / "hooks" / "nothing.yaml", resolved)


def test_a_file_that_grew_after_its_size_was_taken_is_read_to_its_end(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = root / "hooks" / "a.yaml"
    path.write_bytes(b"x" * 300)
    real_stat, real_lstat, real_fstat = os.stat, os.lstat, os.fstat

    def smaller(info: os.stat_result) -> os.stat_result:  # as taken before the file grew to 300 bytes
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setattr(files.os, "stat", lambda path, **kw: smaller(real_stat(path, **kw)))
    monkeypatch.setattr(files.os, "lstat", lambda path, **kw: smaller(real_lstat(path, **kw)))
    monkeypatch.setattr(files.os, "fstat", lambda fd: smaller(real_fstat(fd)))
    assert read_file(path, root.resolve()) == b"x" * 300
    with pytest.raises(FileProblem, match="larger than"):
        read_file(path, root.resolve(), limit=200)


def test_one_reader_checks_each_directory_once(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("b", "c"):
        (root / "hooks" / f"{name}.yaml").write_text(f"kind: {name}\n")
    checked: list[str] = []
    real_lstat, prefix = os.lstat, f"{root.resolve()}/"

    def lstat(path: str) -> os.stat_result:
        checked.append(path.removeprefix(prefix))
        return real_lstat(path)

    reader = files.ManifestFiles(root.resolve())
    monkeypatch.setattr(files.os, "lstat", lstat)
    assert [reader.read(root / "hooks" / f"{n}.yaml") for n in "abc"] == [b"kind: Hook\n", b"kind: b\n", b"kind: c\n"]
    assert checked == ["hooks", "hooks/a.yaml", "hooks/b.yaml", "hooks/c.yaml"]


def test_a_file_where_a_directory_was_expected_takes_the_long_way(root: Path) -> None:
    resolved = root.resolve()
    with pytest.raises(FileProblem, match="cannot be read"):
        files.ManifestFiles(resolved).read(root / "hooks" / "a.yaml" / "x.yaml")
