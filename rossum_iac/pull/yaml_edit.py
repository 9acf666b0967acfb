"""Editing manifest files in place for ``pull --update``: YAML through ruamel.yaml's round trip, JSON and text as
they are, every change kept in memory until ``write_edits`` writes them all.

A YAML file is split into its documents at the parser's document events. Only a document that was changed is
loaded into ruamel's round-trip types, changed node by node and dumped again; the other documents keep their bytes.
A changed document is dumped with the indentation found in it (mapping indent, sequence dash offset), its quotes
(``preserve_quotes``), its comments (ruamel keeps them on the keys and items they follow) and no line folding.
ruamel applies one indentation to a whole document, so a document that mixes styles is re-indented where it
differs from the first style found; a root-level list (schema content) keeps its dashes at column 0
(``_RootListEmitter``).
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.events import DocumentStartEvent

from rossum_iac.errors import RossumIacError

_DASH = re.compile(r"^( *)- ")


class _RootListEmitter(RoundTripEmitter):
    """ruamel's round-trip emitter, writing a root-level list with its dashes at column 0 (ruamel indents them by
    the sequence offset, as it does for nested lists)."""

    _offset = 0
    """The sequence dash offset of nested lists (the root list's is 0)."""

    def _at_root_list(self) -> bool:
        values = self.indents.values
        return len(values) == 1 and bool(values[0][1])

    def increase_indent(self, flow: bool = False, sequence: bool | None = None, indentless: bool = False) -> None:
        root_item = self.indent == 0 and self._at_root_list() and not flow and not indentless
        super().increase_indent(flow, sequence, indentless)
        if root_item and self.indent is not None:
            self.indent -= self._offset

    def expect_block_sequence_item(self, first: bool = False) -> None:
        if not self._at_root_list():
            super().expect_block_sequence_item(first)
            return
        self._offset = self.sequence_dash_offset
        self.sequence_dash_offset = 0
        try:
            super().expect_block_sequence_item(first)
        finally:
            self.sequence_dash_offset = self._offset


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{email: x}] stays so, not [email: x]
    return yaml


def guess_indent(text: str) -> tuple[int, int, int]:
    """``(mapping, sequence, offset)`` for ruamel's ``indent()``, from the first nested mapping and the first list
    under a key (pull's own style, 2/4/2, when the text has none)."""
    mapping: int | None = None
    offset: int | None = None
    sequence: int | None = None
    previous: tuple[int, str] | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        under_key = previous is not None and previous[1].rstrip().endswith(":")
        if under_key and previous is not None and indent == previous[0] and stripped.startswith("- "):
            if offset is None:  # a list written at its key's indentation
                offset = 0
                rest = stripped[2:]
                sequence = 2 + len(rest) - len(rest.lstrip(" "))
        elif under_key and previous is not None and indent > previous[0]:
            if stripped.startswith("- "):
                if offset is None:
                    offset = indent - previous[0]
                    rest = stripped[2:]
                    sequence = offset + 2 + len(rest) - len(rest.lstrip(" "))
            elif mapping is None:
                mapping = indent - previous[0]
        previous = (indent, stripped)
        if mapping is not None and offset is not None:
            break
    if offset is None:
        offset, sequence = 2, 4
    return mapping or 2, sequence or offset + 2, offset


def _segments(text: str) -> list[str]:
    """The text of each document: from its start (``---`` or first token) to the next document's start; leading
    comments belong to the first document."""
    starts = [event.start_mark.index for event in _yaml().parse(text) if isinstance(event, DocumentStartEvent)]
    if not starts:
        return [text]
    bounds = [0, *starts[1:], len(text)]
    return [text[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def dump_yaml(data: Any, original: str) -> str:
    """``data`` (round-trip types) dumped in the style of ``original`` (its document text)."""
    yaml = _yaml()
    mapping, sequence, offset = guess_indent(original)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    body = original.lstrip()
    while body.startswith("#"):
        body = body.split("\n", 1)[1].lstrip() if "\n" in body else ""
    yaml.explicit_start = body.startswith("---")
    yaml.explicit_end = original.rstrip().endswith("\n...") or original.rstrip() == "..."
    if isinstance(data, list) and offset and _first_dash_column(original) == 0:
        yaml.Emitter = _RootListEmitter
    stream = io.StringIO()
    yaml.dump(data, stream)
    out = stream.getvalue()
    if not original.endswith("\n") and out.endswith("\n"):
        out = out[:-1]
    return out


def _first_dash_column(text: str) -> int | None:
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _DASH.match(line)
        return len(found.group(1)) if found else None
    return None


class YamlFile:
    """One YAML file: documents loaded when first asked for, dumped again only when marked changed."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.segments = _segments(text)
        self.start_lines: list[int] = []
        """The line where each document's text starts (its ``---``, or its first comment or key)."""
        self.line_offsets: list[int] = []
        """Lines of the file before each document's text (its own line numbers start after them)."""
        offset = 0
        for segment in self.segments:
            body = len(segment) - len(segment.lstrip())
            self.start_lines.append(_line_of(text, offset + body))
            self.line_offsets.append(text.count("\n", 0, offset))
            offset += len(segment)
        self.loaded: dict[int, Any] = {}
        self.changed: set[int] = set()

    def document(self, index: int) -> Any:
        if index not in self.loaded:
            self.loaded[index] = _yaml().load(self.segments[index])
        return self.loaded[index]

    def find(self, kind: str, key: str, line: int = 0) -> int | None:
        """The index of the document ``kind``/``key`` (the one starting at or before ``line`` is tried first)."""
        first = 0
        for i, start in enumerate(self.start_lines):
            if start <= line:
                first = i
        for index in [first, *(i for i in range(len(self.segments)) if i != first)]:
            doc = self.document(index)
            if isinstance(doc, Mapping) and doc.get("kind") == kind and doc.get("key") == key:
                return index
        return None

    def render(self) -> str:
        parts = list(self.segments)
        for index in sorted(self.changed):
            parts[index] = dump_yaml(self.loaded[index], self.segments[index])
        return "".join(parts)


@dataclass
class StructuredFile:
    """Included schema content: JSON (plain data, written back with the indentation found) or YAML."""

    path: Path
    text: str
    data: Any
    yaml: YamlFile | None = None
    changed: bool = False

    def render(self) -> str:
        if not self.changed:
            return self.text
        if self.yaml is not None:
            self.yaml.changed.add(0)
            return self.yaml.render()
        indent = _json_indent(self.text)
        ascii_only = "\\u" in self.text and not any(ord(c) > 127 for c in self.text)
        out = json.dumps(self.data, indent=indent, ensure_ascii=ascii_only)
        return out + ("\n" if self.text.endswith("\n") else "")


def _json_indent(text: str) -> int | None:
    for line in text.splitlines()[1:]:
        if line.strip():
            width = len(line) - len(line.lstrip(" "))
            return width or None
    return None


@dataclass
class Edits:
    """Every file read or changed by one update, by absolute path (YAML manifests, included content, text)."""

    root: Path
    manifests: dict[Path, YamlFile] = field(default_factory=dict)
    structured: dict[Path, StructuredFile] = field(default_factory=dict)
    texts: dict[Path, tuple[str, str]] = field(default_factory=dict)
    """Included text files: path -> (text read, text now)."""

    def manifest(self, path: Path) -> YamlFile:
        path = path.resolve()
        if path not in self.manifests:
            self.manifests[path] = YamlFile(path, _read(path))
        return self.manifests[path]

    def content(self, path: Path) -> StructuredFile:
        path = path.resolve()
        if path not in self.structured:
            text = _read(path)
            if path.suffix.lower() == ".json":
                self.structured[path] = StructuredFile(path, text, json.loads(text))
            else:
                yaml_file = YamlFile(path, text)
                self.structured[path] = StructuredFile(path, text, yaml_file.document(0), yaml_file)
        return self.structured[path]

    def read_text(self, path: Path) -> str:
        path = path.resolve()
        if path not in self.texts:
            text = _read(path)
            self.texts[path] = (text, text)
        return self.texts[path][1]

    def write_text(self, path: Path, text: str) -> None:
        path = path.resolve()
        old = self.texts[path][0] if path in self.texts else _read(path)
        self.texts[path] = (old, text)

    def changes(self) -> dict[Path, tuple[str, str]]:
        """path -> (old text, new text), for the files whose text changed, in path order."""
        out: dict[Path, tuple[str, str]] = {}
        for path, manifest in self.manifests.items():
            if manifest.changed:
                out[path] = (manifest.text, manifest.render())
        for path, content in self.structured.items():
            if content.changed:
                out[path] = (content.text, content.render())
        for path, (old, new) in self.texts.items():
            out[path] = (old, new)
        return {p: texts for p, texts in sorted(out.items()) if texts[0] != texts[1]}


def _read(path: Path) -> str:
    """A file's text with its line breaks as ``\\n`` (``_write`` restores ``\\r\\n`` files)."""
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")


class ChangedMeanwhile(RossumIacError):
    """A file changed on disk after the update read it."""


def write_edits(changes: Mapping[Path, tuple[str, str]]) -> list[Path]:
    """Write every changed file atomically: all new texts go to temporary files next to their targets first, then
    each replaces its target with one rename (a failure before the renames leaves every file as it was). A file
    whose text is no longer the one read (edited meanwhile, e.g. while a confirmation was pending) stops it all."""
    for path, (old, _) in changes.items():
        if _read(path) != old:
            raise ChangedMeanwhile(f"{path} changed since it was read; nothing was written (run the update again)")
    staged: list[tuple[Path, Path]] = []
    try:
        for path, (_, text) in changes.items():
            crlf = b"\r\n" in path.read_bytes()
            data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".update", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(name, path.stat().st_mode & 0o7777)
            staged.append((Path(name), path))
        for temp, path in staged:
            os.replace(temp, path)
    finally:
        for temp, _ in staged:
            if temp.exists():
                temp.unlink()
    return [path for _, path in staged]


def unified_diff(changes: Mapping[Path, tuple[str, str]], root: Path) -> str:
    """The changes as ``git diff`` shows them (``a/``/``b/`` paths relative to ``root``)."""
    import difflib

    out: list[str] = []
    base = root.resolve()
    for path, (old, new) in changes.items():
        relative = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        lines = difflib.unified_diff(_lines(old), _lines(new), f"a/{relative}", f"b/{relative}", lineterm="\n", n=3)
        out.extend(lines)
    return "".join(out)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def replace_items(seq: list[Any], new: list[Any]) -> bool:
    """Make ``seq`` hold the items of ``new`` (the same objects where they were kept) by deleting and inserting
    only where they differ, so that comments on the items that stay keep their places; whether it changed."""
    import difflib

    old_ids = [id(item) for item in seq]
    new_ids = [id(item) for item in new]
    if old_ids == new_ids:
        return False
    opcodes = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(opcodes):
        if tag == "equal":
            continue
        for i in range(i2 - 1, i1 - 1, -1):
            del seq[i]
        for offset, item in enumerate(new[j1:j2]):
            seq.insert(i1 + offset, item)
    return True
