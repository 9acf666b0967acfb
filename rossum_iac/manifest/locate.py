"""Where a value of a loaded object was written: file, line and column, following ``{file: ...}`` includes.

Loaded objects keep only where their document starts; messages about something deep inside a value (a schema id
in an action payload, a word in a function's code) re-read the source files (once each) to point at it. A value
inside a text (a rule condition written as a YAML block, or a code file) is found by searching the text as written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rossum_iac.manifest.model import DesiredObject
from rossum_iac.manifest.yaml_io import Document, Pos, YamlSyntaxError, YMap, YSeq, parse_documents

_STRUCTURED = (".json", ".yaml", ".yml")

Find = Callable[[str], "int | None"]
"""Given a text as written, the offset of what is looked for in it (or None)."""


def offset_pos(text: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    return (line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


class Locator:
    """Positions inside the manifests under ``root``; ``parsed`` reuses documents the loader already parsed."""

    def __init__(self, root: Path, parsed: Mapping[Path, list[Document]] | None = None):
        self.root = root
        self._docs: dict[Path, list[Document]] = dict(parsed or {})
        self._texts: dict[Path, str | None] = {}

    def text(self, path: Path) -> str | None:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def documents(self, path: Path) -> list[Document]:
        if path not in self._docs:
            text = self.text(path)
            try:
                self._docs[path] = parse_documents(text) if text is not None else []
            except YamlSyntaxError:
                self._docs[path] = []
        return self._docs[path]

    def document(self, obj: DesiredObject) -> YMap | None:
        source = obj.source
        docs = self.documents(source.file)
        for doc in docs:
            if doc.pos == (source.line, source.column) and isinstance(doc.data, YMap):
                return doc.data
        for doc in docs:  # the file changed since it was loaded: find the document by kind and key
            if isinstance(doc.data, YMap) and doc.data.get("kind") == obj.kind and doc.data.get("key") == obj.key:
                return doc.data
        return None

    def _included(self, spec: Mapping[str, Any], file: Path) -> Path | None:
        rel = spec.get("file")
        if not isinstance(rel, str) or not rel.strip():
            return None
        target = Path(os.path.normpath(file.parent / rel))
        try:
            return self.root / target.resolve().relative_to(self.root.resolve())
        except ValueError:
            return target

    def position(self, obj: DesiredObject, path: tuple[str | int, ...], find: Find | None = None) -> tuple[Path, Pos]:
        """Where the value at ``path`` of ``obj`` (or, with ``find``, something inside that text) was written."""
        file = obj.source.file
        pos: Pos = (obj.source.line, obj.source.column)
        node: Any = self.document(obj)
        if node is None:
            return file, pos
        for part in path:
            if _is_include(node):
                target = self._included(node, file)
                if target is None or target.suffix.lower() not in _STRUCTURED:
                    break
                docs = self.documents(target)
                if not docs:
                    return target, (1, 1)
                node, file, pos = docs[0].data, target, (1, 1)
            if isinstance(node, YMap) and isinstance(part, str) and part in node:
                pos = node.value_pos(part)
                node = node[part]
            elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
                pos = node.item_pos(part)
                node = node[part]
            else:
                return file, pos
        if _is_include(node):
            target = self._included(node, file)
            text = self.text(target) if target is not None else None
            if target is None or text is None:
                return file, pos
            offset = find(text) if find is not None else None
            return target, offset_pos(text, offset) if offset is not None else (1, 1)
        if isinstance(node, str) and find is not None:
            offset = find(node)
            if offset is not None:
                return file, self._inside_scalar(file, pos, node, offset)
        return file, pos

    def _inside_scalar(self, file: Path, pos: Pos, value: str, offset: int) -> Pos:
        """The position of ``value[offset]`` for a YAML scalar starting at ``pos``: exact for one-line scalars and
        literal blocks (``|``), the scalar's start otherwise."""
        text = self.text(file)
        lines = text.splitlines() if text is not None else []
        if not 0 < pos[0] <= len(lines):
            return pos
        head = lines[pos[0] - 1][pos[1] - 1 :]
        if head.startswith("|"):
            line_index = value.count("\n", 0, offset)
            column = offset - (value.rfind("\n", 0, offset) + 1)
            body = [line for line in lines[pos[0] :] if line.strip()]
            indent = len(body[0]) - len(body[0].lstrip(" ")) if body else 0
            return (pos[0] + 1 + line_index, indent + column + 1)
        if "\n" in value or head.startswith(">"):
            return pos
        quoted = head[:1] in ("'", '"')
        return (pos[0], pos[1] + offset + (1 if quoted else 0))


def _is_include(node: Any) -> bool:
    return isinstance(node, Mapping) and "file" in node and len(node) == 1
