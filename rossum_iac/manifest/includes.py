"""``{file: relative/path}`` at content fields: long content kept in its own file.

Paths are relative to the YAML file that contains the include and must stay inside the manifest directory.
Schema content is read as JSON (``.json``) or YAML (``.yaml``/``.yml``); every other content field is text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rossum_iac.manifest.files import FileProblem, ManifestFiles, decode_utf8
from rossum_iac.manifest.yaml_io import Pos, YamlSyntaxError, YMap, parse_documents

STRUCTURED_SUFFIXES = (".json", ".yaml", ".yml")


def is_include(value: Any) -> bool:
    return isinstance(value, dict) and "file" in value


@dataclass
class Included:
    path: Path
    """Display path (under the manifest root as the user named it)."""
    resolved: Path
    data: bytes
    value: Any
    """Text for text content; structured content as YMap/YSeq (YAML) or plain dict/list (JSON)."""
    positioned: bool = True
    """False when JSON was parsed without positions (fast path); ``reparse`` then gives positions."""

    def reparse(self) -> Any:
        """The structured value again, with positions (slower)."""
        text = self.data.decode("utf-8")
        try:
            docs = parse_documents(text)
        except YamlSyntaxError:
            return self.value
        return docs[0].data if len(docs) == 1 else self.value


class IncludeError(Exception):
    def __init__(self, message: str, file: Path, pos: Pos):
        super().__init__(message)
        self.message = message
        self.file = file
        self.pos = pos


class IncludeReader:
    """Reads included files for one manifest directory, remembering which files were included."""

    def __init__(self, root: Path):
        self.root = root
        self.root_resolved = root.resolve()
        self.files = ManifestFiles(self.root_resolved)
        """Every file of the directory is read through it, manifests too."""
        self.included: set[Path] = set()
        self._yaml_cache: dict[Path, Any] = {}

    def read(self, spec: YMap, manifest_file: Path, structured: bool) -> Included:
        """Read the file named by ``spec`` (``{file: path}``); raises ``IncludeError`` with a position."""
        extra = sorted(k for k in spec if k != "file")
        if extra:
            raise IncludeError(
                f"an include is written {{file: relative/path}}; unexpected key(s): {', '.join(extra)}",
                manifest_file,
                spec.key_pos(extra[0]),
            )
        where = spec.value_pos("file")
        rel = spec["file"]
        if not isinstance(rel, str) or not rel.strip():
            raise IncludeError(
                "'file' must be a relative path to a file inside the manifest directory", manifest_file, where
            )
        if "${" in rel:
            raise IncludeError(f"include paths cannot use placeholders: {rel!r}", manifest_file, where)
        if os.path.isabs(rel) or rel.startswith("~"):
            raise IncludeError(
                f"include path {rel!r} is absolute; write it relative to {manifest_file.name}", manifest_file, where
            )
        candidate = manifest_file.parent / rel
        try:
            resolved = self.files.resolve(candidate)
        except FileProblem:  # a link out of the directory, a loop, a missing part: said below, in these words
            resolved = self._resolve_problem(candidate, rel, manifest_file, where)
        display = self.root / resolved.relative_to(self.root_resolved)
        if resolved.is_dir():
            raise IncludeError(f"included file {display} is a directory (from {{file: {rel}}})", manifest_file, where)
        if structured and resolved.suffix.lower() not in STRUCTURED_SUFFIXES:
            raise IncludeError(
                f"schema content must be a .json, .yaml or .yml file, not {resolved.name}", manifest_file, where
            )
        try:  # a regular file of a bounded size (not a named pipe, device or huge file)
            data = self.files.read(resolved)
        except FileProblem as exc:
            raise IncludeError(f"included file {display} {exc} (from {{file: {rel}}})", manifest_file, where) from None
        text, bad_pos, bad_byte = decode_utf8(data)
        if text is None:
            raise IncludeError(f"the included file is not UTF-8 text ({bad_byte})", display, bad_pos)
        self.included.add(resolved)
        if not structured:
            return Included(display, resolved, data, text)
        if resolved.suffix.lower() == ".json":
            try:
                value = json.loads(text)  # plain data: positions only when needed (``reparse``)
            except json.JSONDecodeError as exc:
                raise IncludeError(f"invalid JSON: {exc.msg}", display, (exc.lineno, exc.colno)) from None
            return Included(display, resolved, data, value, positioned=False)
        value = self._yaml(resolved, text, display)
        return Included(display, resolved, data, value)

    def _resolve_problem(self, candidate: Path, rel: str, manifest_file: Path, where: Pos) -> Path:
        """Why ``candidate`` cannot be included, as an ``IncludeError``; a path that resolves inside the directory
        but does not exist is returned (``read`` says so)."""
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):  # a loop of symbolic links (RuntimeError before Python 3.13)
            raise IncludeError(f"include path {rel!r} is a loop of symbolic links", manifest_file, where) from None
        if not resolved.is_relative_to(self.root_resolved):
            raise IncludeError(
                f"include path {rel!r} points outside the manifest directory {self.root}; included files must be "
                "inside it",
                manifest_file,
                where,
            )
        if not resolved.exists():
            display = self.root / resolved.relative_to(self.root_resolved)
            raise IncludeError(f"included file {display} does not exist (from {{file: {rel}}})", manifest_file, where)
        return resolved

    def _yaml(self, resolved: Path, text: str, display: Path) -> Any:
        if display in self._yaml_cache:
            return self._yaml_cache[display]
        try:
            docs = parse_documents(text)
        except YamlSyntaxError as exc:
            raise IncludeError(exc.message, display, (exc.line, exc.column)) from None
        if len(docs) != 1:
            raise IncludeError(
                f"an included content file must hold exactly one YAML document, found {len(docs)}", display, (0, 0)
            )
        self._yaml_cache[display] = docs[0].data
        return docs[0].data

    def remember_yaml(self, path: Path, data: Any) -> None:
        """Reuse a YAML file already parsed while scanning the directory (``path`` as found under the root)."""
        self._yaml_cache[path] = data
