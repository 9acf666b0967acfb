"""Writing live values into the nodes of a manifest as written (``pull --update``), one difference at a time.

``Merger`` gets a node as the user wrote it (ruamel round-trip data, or plain data of a JSON content file), the
manifest's value there as the engine sees it (placeholders resolved) and the live value, and changes only what
differs:

- mappings key by key (keys the manifest does not declare stay undeclared; a declared key the live object no
  longer has is removed), lists item by item (set-like lists keep the manifest's order and gain new items at the
  end), other values replaced in the style they were written in (quotes, literal blocks, flow lists);
- a value written with ``${var...}``, ``${env...}`` or ``${ref...}`` is never overwritten: the difference is
  reported. Text over several lines (and included text files) is merged line by line instead: unchanged lines
  stay as written, live changes to lines without a placeholder are taken, a change to a line with one is
  reported (``merge_text``);
- ``{file: ...}`` includes: the included file is changed (hook code, email bodies, rule conditions, schema content
  and the formula files inside it), never the include;
- new values are written as pull writes them (``${`` escaped as ``$${``, URLs and ids of the stack's objects as
  ``${ref...}``, through pull's ``Converter``).

Comparisons are the engine's (``compare.matches``: declared-subset, URL tails, numbers by value; set-like lists as
sets, durations by length), so what is left unchanged is what ``plan`` does not see as a difference.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from rossum_iac.engine.compare import as_set, duration_seconds, matches
from rossum_iac.engine.fingerprint import canonical_json
from rossum_iac.engine.resolve import UNKNOWN
from rossum_iac.kinds import KindDef
from rossum_iac.manifest.includes import is_include
from rossum_iac.pull.convert import escape
from rossum_iac.pull.yaml_edit import Edits, replace_items
from rossum_iac.pull.yaml_out import literal_ok, prepare

UNSET = "\x00rossum-iac: environment variable not set\x00"
"""What an unset ``${env.NAME}`` reads as during an update (write-only values are never compared; any other value
using it is reported as not compared)."""

_TOKEN = re.compile(r"\$?\$\{(var|env|ref)\.([^{}]*)\}")


def placeholders(text: str) -> list[str]:
    """The ``${var|env|ref...}`` placeholders of a text as written (``$${...}`` is literal text, not one)."""
    return [m.group(0) for m in _TOKEN.finditer(text) if not m.group(0).startswith("$$")]


def merge_text(raw: str, resolved: Any, live: str) -> str | None:
    """``raw`` (text as written, maybe with placeholders and ``$${`` escapes) changed line by line where the live
    text differs from ``resolved`` (the same text as the engine reads it): unchanged lines keep how they were
    written, changed ones are taken from the live text (escaped). ``None`` when a line with a placeholder changed
    live, or when lines no longer correspond (a variable's value over several lines)."""
    if not isinstance(resolved, str) or UNSET in resolved:
        return None
    raw_lines = raw.splitlines(keepends=True)
    old_lines = resolved.splitlines(keepends=True)
    new_lines = live.splitlines(keepends=True)
    if len(raw_lines) != len(old_lines):
        return None if placeholders(raw) else escape(live)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raw_lines[i1:i2])
            continue
        if any(placeholders(line) for line in raw_lines[i1:i2]):
            return None
        out.extend(escape(line) for line in new_lines[j1:j2])
    return "".join(out)


@dataclass(frozen=True)
class Kept:
    """A difference that was reported, not written."""

    address: str
    path: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.address} {self.path}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"address": self.address, "field": self.path, "location": self.location, "message": self.message}


@dataclass
class Site:
    """Where nodes are written: the file (includes are relative to it) and how to mark it changed."""

    file: Path
    touch: Callable[[], None]
    root: Path
    line_offset: int = 0
    """Lines of the file before the document (multi-document files)."""

    def location(self, container: Any = None, key: Any = None) -> str:
        base = self.root.resolve()
        shown = self.file.relative_to(base).as_posix() if self.file.is_relative_to(base) else str(self.file)
        line = _line(container, key)
        return f"{shown}:{line + self.line_offset}" if line else shown


def _line(container: Any, key: Any) -> int:
    try:
        if isinstance(container, CommentedMap):
            return int(container.lc.value(key)[0]) + 1
        if isinstance(container, CommentedSeq):
            return int(container.lc.item(key)[0]) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return 0


def styled(value: Any, old: Any = None) -> Any:
    """A new value as pull would write it, in the style the old one was written in where that fits."""
    new = prepare(value)
    if isinstance(value, str):
        if isinstance(old, LiteralScalarString) and "\n" in value and literal_ok(value):
            return LiteralScalarString(value)
        plain = type(new) is str and "\n" not in value
        if plain and isinstance(old, SingleQuotedScalarString):
            return SingleQuotedScalarString(value)
        if plain and isinstance(old, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(value)
        return new
    if isinstance(new, list):
        seq = CommentedSeq(new)
        if isinstance(old, CommentedSeq) and old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(new, CommentedMap) and isinstance(old, CommentedMap) and old.fa.flow_style():
        new.fa.set_flow_style()
    return new


class Merger:
    """Merges live values into one object's manifest nodes; ``written`` lists the paths changed, ``kept`` the
    differences reported instead."""

    def __init__(
        self,
        kind: KindDef,
        address: str,
        edits: Edits,
        to_manifest: Callable[[Any, str], Any],
        root: Path,
        sensitive: Callable[[str], bool] = lambda path: True,
    ) -> None:
        self.kind = kind
        self.sensitive = sensitive
        """Whether the manifest's value at a path uses a secret (its live value is then never shown)."""
        self.address = address
        self.edits = edits
        self.to_manifest = to_manifest
        self.root = root
        self.written: list[str] = []
        self.kept: list[Kept] = []
        self._sets = kind.set_fields
        self._durations = kind.duration_fields
        self._texts = {p for p, c in kind.content_fields.items() if not c.structured}

    # --- reports ---------------------------------------------------------------------------------------------

    def keep(self, path: str, site: Site, container: Any, key: Any, message: str) -> None:
        self.kept.append(Kept(self.address, path, site.location(container, key), message))

    def placeholder_message(self, tokens: list[str], desired: Any, live: Any, path: str) -> str:
        written = ", ".join(dict.fromkeys(tokens))
        message = f"differs live, but the manifest writes {written} here; not overwritten"
        if _contains_unset(desired):
            names = sorted({t[6:-1] for t in tokens if t.startswith("${env.")})
            return f"not compared: environment variable {', '.join(names)} is not set; not overwritten"
        if any(t.startswith("${var.") for t in tokens):
            shown = ""
            if not self.sensitive(path) and isinstance(live, str | int | float | bool):
                shown = f" (live: {canonical_json(live)})"
            message += f"; change the variable if the live value{shown} is the one to keep"
        elif any(t.startswith("${env.") for t in tokens):
            message += " (the live value differs from the environment variable's; values are not shown)"
        elif any(t.startswith("${ref.") for t in tokens):
            message += " (live it no longer refers to that object)"
        return message

    # --- values ----------------------------------------------------------------------------------------------

    def same(self, path: str, desired: Any, live: Any) -> bool:
        if desired is UNKNOWN or _contains_unset(desired):
            return False
        if path in self._sets and isinstance(desired, list) and isinstance(live, list):
            return matches(as_set(desired), as_set(live))
        if path in self._durations:
            seconds = duration_seconds(desired)
            if seconds is not None and seconds == duration_seconds(live):
                return True
        return matches(desired, live)

    def value(
        self, parent: Any, key: Any, desired: Any, live: Any, path: str, site: Site, *, text_file: bool = False
    ) -> None:
        """Bring ``parent[key]`` (written at ``site``) in step with ``live``; ``text_file``: a ``{file: ...}``
        there names a text file to change (content fields, schema formulas)."""
        raw = parent[key]
        if self.same(path, desired, live):
            return
        if isinstance(raw, str) and placeholders(raw):
            self._placeholder(parent, key, raw, desired, live, path, site)
            return
        if is_include(raw) and (text_file or path in self._texts):
            self._text_file(parent, key, raw, desired, live, path, site)
            return
        if isinstance(raw, dict) and isinstance(live, Mapping) and isinstance(desired, Mapping):
            for name in list(raw):
                if name in live:
                    self.value(raw, name, desired.get(name), live[name], f"{path}.{name}", site)
                elif desired.get(name) is not None:
                    del raw[name]
                    self.wrote(f"{path}.{name}", site)
            return
        if isinstance(raw, list) and isinstance(live, list) and isinstance(desired, list):
            if path in self._sets:
                self._set(raw, desired, live, path, site)
            else:
                self._list(raw, desired, live, path, site)
            return
        parent[key] = styled(self.to_manifest(live, _last(path)), raw)
        self.wrote(path, site)

    def wrote(self, path: str, site: Site) -> None:
        site.touch()
        if path not in self.written:
            self.written.append(path)

    def _list(self, raw: list[Any], desired: list[Any], live: list[Any], path: str, site: Site) -> None:
        common = min(len(raw), len(live))
        for i in range(common):
            self.value(raw, i, desired[i] if i < len(desired) else None, live[i], path, site)
        if len(raw) > len(live):
            for i in range(len(raw) - 1, len(live) - 1, -1):
                del raw[i]
            self.wrote(path, site)
        for item in live[common:]:
            raw.append(styled(self.to_manifest(item, _last(path)), raw[-1] if raw else None))
            self.wrote(path, site)

    def _set(self, raw: list[Any], desired: list[Any], live: list[Any], path: str, site: Site) -> None:
        """A set-like list: items still live keep their place, gone ones leave, new ones are appended."""
        live_keys = {canonical_json(item) for item in live}
        had = set()
        for i in range(len(raw) - 1, -1, -1):
            wanted = desired[i] if i < len(desired) else None
            if canonical_json(wanted) in live_keys:
                had.add(canonical_json(wanted))
                continue
            if isinstance(raw[i], str) and placeholders(raw[i]):
                self.keep(path, site, raw, i, self.placeholder_message(placeholders(raw[i]), wanted, None, path))
                continue
            del raw[i]
            self.wrote(path, site)
        for item in live:
            if canonical_json(item) not in had:
                had.add(canonical_json(item))
                raw.append(styled(self.to_manifest(item, _last(path)), raw[-1] if raw else None))
                self.wrote(path, site)

    def _placeholder(self, parent: Any, key: Any, raw: str, desired: Any, live: Any, path: str, site: Site) -> None:
        if _contains_unset(desired):
            self.keep(path, site, parent, key, self.placeholder_message(placeholders(raw), desired, live, path))
            return
        if isinstance(live, str) and isinstance(desired, str) and ("\n" in raw or "\n" in live):
            merged = merge_text(raw, desired, live)
            if merged is not None:
                parent[key] = styled(merged, raw)
                self.wrote(path, site)
                return
            self.keep(
                path,
                site,
                parent,
                key,
                "lines written with placeholders changed live; not overwritten (the other lines are not taken either)",
            )
            return
        self.keep(path, site, parent, key, self.placeholder_message(placeholders(raw), desired, live, path))

    def _text_file(
        self, parent: Any, key: Any, raw: Mapping[str, Any], desired: Any, live: Any, path: str, site: Site
    ) -> None:
        target = site.file.parent / str(raw.get("file"))
        if not isinstance(live, str):
            self.keep(path, site, parent, key, f"is no longer text live; {raw.get('file')} was not changed")
            return
        text = self.edits.read_text(target)
        if _contains_unset(desired):
            self.keep(path, site, parent, key, self.placeholder_message(placeholders(text), desired, live, path))
            return
        merged = merge_text(text, desired, live)
        if merged is None:
            self.keep(
                path,
                site,
                parent,
                key,
                f"lines of {raw.get('file')} written with placeholders changed live; the file was not changed",
            )
            return
        self.edits.write_text(target, merged)
        if path not in self.written:
            self.written.append(path)

    # --- references --------------------------------------------------------------------------------------------

    def reference(self, doc: Any, name: str, live_refs: Any, site: Site) -> None:
        """A reference field (keys) from the live references given as addresses (``Queue/key``) or, for objects
        outside the stack, URL tails."""
        raw = doc[name]
        spec = self.kind.fields[name]
        target = spec.ref or ""
        if isinstance(raw, str) and placeholders(raw):
            self.keep(name, site, doc, name, self.placeholder_message(placeholders(raw), None, None, name))
            return
        values = live_refs if isinstance(live_refs, list) else [live_refs]
        outside = [v for v in values if isinstance(v, str) and not v.startswith(f"{target}/")]
        if outside:
            self.keep(
                name,
                site,
                doc,
                name,
                f"live it refers to {', '.join(outside)}, which this stack does not define; "
                "not overwritten (bring the object into the stack first)",
            )
            return
        keys = [v.split("/", 1)[1] if isinstance(v, str) else v for v in values]
        if not spec.many:
            doc[name] = styled(keys[0], raw)
            self.wrote(name, site)
            return
        if not isinstance(raw, list):
            doc[name] = styled(keys, raw)
            self.wrote(name, site)
            return
        if spec.set_like:
            self._set(raw, list(raw), keys, name, site)
        elif list(raw) != keys:
            kept = {str(k): k for k in raw}
            replace_items(raw, [kept.get(k, k) for k in keys])
            self.wrote(name, site)

    # --- schema content ------------------------------------------------------------------------------------------

    def content(self, parent: Any, key: Any, desired: Any, live: Any, path: str, site: Site) -> None:
        """Structured content (schema sections), inline or in its own JSON/YAML file: nodes matched by id."""
        raw = parent[key]
        if isinstance(raw, str) and placeholders(raw):
            self.keep(path, site, parent, key, self.placeholder_message(placeholders(raw), desired, live, path))
            return
        if is_include(raw):
            included = self.edits.content(site.file.parent / str(raw.get("file")))
            inner = Site(included.path, lambda: setattr(included, "changed", True), self.root)
            holder = {"content": included.data}
            self.content(holder, "content", desired, live, path, inner)
            if holder["content"] is not included.data:
                included.data = holder["content"]
                if included.yaml is not None:
                    included.yaml.loaded[0] = included.data
            return
        if not isinstance(raw, list) or not isinstance(live, list) or not isinstance(desired, list):
            parent[key] = styled(_escape_all(live), raw)
            self.wrote(path, site)
            return
        nodes: dict[str, tuple[Any, Any]] = {}
        if not _index_nodes(raw, desired, nodes):
            self.keep(path, site, parent, key, "the content writes whole nodes with placeholders; not overwritten")
            return
        files = next((c.nested_files for p, c in self.kind.content_fields.items() if p == path), ())
        _SchemaMerge(self, nodes, path, site, frozenset(files)).children(raw, live)


class _SchemaMerge:
    def __init__(
        self, merger: Merger, nodes: dict[str, tuple[Any, Any]], path: str, site: Site, files: frozenset[str]
    ) -> None:
        self.merger = merger
        self.nodes = nodes
        self.path = path
        self.site = site
        self.files = files
        """Node attributes that may be ``{file: ...}`` (a datapoint's formula)."""

    def children(self, raw: list[Any], live: list[Any]) -> None:
        """Rebuild ``raw`` (a list of nodes) in place from the live nodes, reusing the nodes as written."""
        new: list[Any] = []
        for live_node in live:
            if not isinstance(live_node, Mapping):
                continue
            found = self.nodes.get(str(live_node.get("id")))
            if found is None:
                new.append(self.new_node(live_node))
                continue
            self.node(found[0], found[1], live_node)
            new.append(found[0])
        if replace_items(raw, new):
            self.merger.wrote(self.path, self.site)

    def new_node(self, live: Mapping[str, Any]) -> Any:
        """A node added live, as pull writes it; nodes it holds that the manifest has (moved here) are reused."""
        node = styled(_escape_all({k: v for k, v in live.items() if k != "children"}))
        children = live.get("children")
        if isinstance(children, list):
            node["children"] = CommentedSeq()
            self.children(node["children"], children)
        elif isinstance(children, Mapping):
            holder: list[Any] = []
            self.children(holder, [children])
            node["children"] = holder[0]
        return node

    def node(self, raw: Any, desired: Mapping[str, Any], live: Mapping[str, Any]) -> None:
        label = f"{self.path}[{raw.get('id')}]"
        for attr in list(raw):
            if attr in ("id", "children"):
                continue
            if attr not in live:
                if desired.get(attr) is not None:
                    del raw[attr]
                    self.merger.wrote(f"{label}.{attr}", self.site)
                continue
            self.merger.value(
                raw, attr, desired.get(attr), live[attr], f"{label}.{attr}", self.site, text_file=attr in self.files
            )
        live_children = live.get("children")
        if isinstance(live_children, list):
            if isinstance(raw.get("children"), list):
                self.children(raw["children"], live_children)
            else:
                raw["children"] = styled(_escape_all(live_children), raw.get("children"))
                self.merger.wrote(label, self.site)
        elif isinstance(live_children, Mapping):
            holder = [raw["children"]] if isinstance(raw.get("children"), Mapping) else []
            self.children(holder, [live_children])
            if holder and holder[0] is not raw.get("children"):
                raw["children"] = holder[0]
                self.merger.wrote(label, self.site)


def _index_nodes(raw: Any, desired: Any, out: dict[str, tuple[Any, Any]]) -> bool:
    """Every node as written, by id, with its desired view; False when a node is written as a placeholder."""
    if isinstance(raw, list):
        if not isinstance(desired, list) or len(desired) != len(raw):
            return False
        return all(_index_nodes(r, d, out) for r, d in zip(raw, desired, strict=True))
    if not isinstance(raw, dict) or not isinstance(desired, Mapping):
        return False
    node_id = raw.get("id")
    if isinstance(node_id, str):
        out[node_id] = (raw, desired)
    children = raw.get("children")
    if children is None:
        return True
    return _index_nodes(children, desired.get("children"), out)


def _escape_all(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Mapping):
        return {k: _escape_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_all(v) for v in value]
    return value


def _contains_unset(value: Any) -> bool:
    if isinstance(value, str):
        return UNSET in value
    if isinstance(value, Mapping):
        return any(_contains_unset(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unset(v) for v in value)
    return False


def _last(path: str) -> str:
    return path.rsplit(".", 1)[-1].split("[", 1)[0]
