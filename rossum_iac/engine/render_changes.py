"""The lines of one field change, from its JSON form: shared by the text and the Markdown renderers.

A value is shown on one line when short, else pretty-printed; a list or mapping that changed is shown path by path
(``nested`` items); multi-line or long text as a unified diff; schema content node by node. Nothing here sees a
secret: sensitive values are ``null`` in the JSON form and shown as ``(sensitive)``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_INLINE = 100
"""Values longer than this (as JSON) are shown over several lines."""
MAX_ORDER_INLINE = 100
"""An order change whose key lists are longer than this is shown as the keys that moved."""
MAX_MOVED = 5
SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"
_COLOURS = {"+": "32", "~": "33", "-": "31", "-/+": "35", "+/-": "35", ".": "36", "!": "31", "bold": "1", "dim": "2"}


class Style:
    """ANSI colours when asked for, else the text as it is."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, what: str) -> str:
        code = _COLOURS.get(what)
        if not self.color or code is None:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


@dataclass(frozen=True)
class Layout:
    """Indentation of a field's lines (``field``) and of the lines under it (``sub``); ``flush``: unified diff lines
    and the ``-``/``+`` lines of a long value start in the first column (in a fenced ``diff`` block, so that they
    are coloured)."""

    field: str = "      "
    sub: str = "          "
    flush: bool = False
    nest: str = "    "
    """Further indentation of what belongs to a line (the attributes of an added schema node)."""

    def diff_indent(self, under: str) -> str:
        return "" if self.flush else under


TEXT_LAYOUT = Layout()
FLUSH_LAYOUT = Layout(field="", sub="", flush=True, nest="  ")
"""For fenced ``diff`` blocks (Markdown)."""


def fmt(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def fmt_block(value: Any, indent: str) -> list[str]:
    """A value on one line if short, else pretty-printed over several lines (continuation lines get ``indent``)."""
    text = fmt(value)
    if len(text) <= MAX_INLINE or not isinstance(value, dict | list):
        return [text]
    lines = json.dumps(value, ensure_ascii=False, indent=2).splitlines()
    return [lines[0]] + [indent + line for line in lines[1:]]


def text_diff(before: Any, after: Any, indent: str, s: Style) -> list[str]:
    old = before.splitlines() if isinstance(before, str) else []
    new = after.splitlines() if isinstance(after, str) else []
    out = []
    for line in difflib.unified_diff(old, new, "live", "manifests", lineterm="", n=3):
        if line.startswith(("+++", "---")):
            out.append(indent + s(line, "bold"))
        elif line.startswith("+"):
            out.append(indent + s(line, "+"))
        elif line.startswith("-"):
            out.append(indent + s(line, "-"))
        elif line.startswith("@@"):
            out.append(indent + s(line, "dim"))
        else:
            out.append(indent + line)
    return out


def _text_block(value: Any, indent: str, s: Style, sym: str) -> list[str]:
    lines = str(value or "").splitlines()
    return [f"<<-EOT ({len(lines)} line{'s' if len(lines) != 1 else ''})", *(indent + s(line, sym) for line in lines),
            indent + "EOT"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def order_text(before: Any, after: Any) -> str:
    """``["a", "b"] -> ["b", "a"]``, or for long lists the keys that moved (``"b" moved to 1st of 33``)."""
    before = before if isinstance(before, list) else []
    after = after if isinstance(after, list) else []
    whole = f"{fmt(before)} -> {fmt(after)}"
    if len(whole) <= MAX_ORDER_INLINE:
        return whole
    old, new = [fmt(v) for v in before], [fmt(v) for v in after]
    kept: set[int] = set()
    for block in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        kept.update(range(block.b, block.b + block.size))
    moved = [f"{new[i]} moved to {_ordinal(i + 1)}" for i in range(len(new)) if i not in kept]
    shown = ", ".join(moved[:MAX_MOVED])
    if len(moved) > MAX_MOVED:
        shown += f" and {len(moved) - MAX_MOVED} more"
    return f"{shown} (of {len(new)})"


def _change_value(before: Any, after: Any, after_unknown: bool, head: str, tail: str, sub: str, s: Style) -> list[str]:
    """``head: before -> after``, or before and after on lines of their own when long."""
    before_block = fmt_block(before, sub + "  ")
    after_text = UNKNOWN if after_unknown and after == UNKNOWN else fmt(after)
    if len(before_block) == 1 and len(after_text) + len(before_block[0]) <= MAX_INLINE:
        return [f"{head}: {before_block[0]} -> {after_text}{tail}"]
    after_block = [after_text] if after_unknown and after == UNKNOWN else fmt_block(after, sub + "  ")
    return [
        f"{head}:{tail}",
        sub + s("- ", "-") + before_block[0],
        *before_block[1:],
        sub + s("+ ", "+") + after_block[0],
        *after_block[1:],
    ]


def item_lines(item: Mapping[str, Any], label: str, indent: str, layout: Layout, s: Style) -> list[str]:
    """One ``nested`` item (``op`` add / remove / change / reorder) of a field or a schema attribute."""
    op = item.get("op", "change")
    path = f"{label}{item.get('path', '')}"
    sub = indent + "    "
    if op == "add":
        if item.get("sensitive"):
            return [indent + s(f"+ {path} = {SENSITIVE}", "+")]
        after = item.get("after")
        if item.get("after_unknown") and after == UNKNOWN:
            return [indent + s("+ ", "+") + f"{path} = {UNKNOWN}"]
        block = fmt_block(after, sub)
        return [indent + s("+ ", "+") + f"{path} = {block[0]}", *block[1:]]
    if op == "remove":
        block = fmt_block(item.get("before"), sub)
        return [indent + s("- ", "-") + f"{path} = {block[0]}", *block[1:]]
    head = indent + s("~ ", "~") + path
    if op == "reorder":
        return [f"{head} order: {order_text(item.get('before'), item.get('after'))}"]
    if item.get("sensitive"):
        return [f"{head}: {SENSITIVE}"]
    if item.get("format") == "text":
        return [f"{head}:", *text_diff(item.get("before"), item.get("after"), layout.diff_indent(sub), s)]
    return _change_value(
        item.get("before"), item.get("after"), bool(item.get("after_unknown")), head, "", layout.diff_indent(sub), s
    )


def node_label(category: str, node: str) -> str:
    return f"{category} {fmt(node)}" if category else fmt(node)


def schema_lines(changes: Iterable[Mapping[str, Any]], layout: Layout, s: Style) -> list[str]:
    indent = layout.sub
    out = []
    for c in changes:
        label = node_label(c.get("category", ""), c["node"])
        where = f" (in {fmt(c['parent'])})" if c.get("parent") else ""
        op = c["op"]
        if op == "add":
            out.append(indent + s(f"+ {label}{where}", "+"))
            attrs = c.get("after")
            if isinstance(attrs, Mapping):
                out.extend(_attribute_lines(attrs, indent + layout.nest, s))
        elif op == "remove":
            out.append(indent + s(f"- {label}{where}", "-"))
        elif op == "change" and c.get("items"):
            for item in c["items"]:
                out.extend(item_lines(item, f"{label} ", indent, layout, s))
        elif op == "change" and c.get("format") == "text":
            out.append(indent + s("~ ", "~") + f"{label} {c['attr']}:")
            out.extend(text_diff(c.get("before"), c.get("after"), layout.diff_indent(indent + "    "), s))
        elif op == "change":
            head = indent + s("~ ", "~") + f"{label} {c['attr']}"
            out.extend(
                _change_value(c.get("before"), c.get("after"), False, head, "", layout.diff_indent(indent + "    "), s)
            )
        elif op == "move":
            before = fmt(c.get("before")) if c.get("before") else "top level"
            after = fmt(c.get("after")) if c.get("after") else "top level"
            out.append(indent + s("~ ", "~") + f"{label} moved: {before} -> {after}")
        elif op == "reorder":
            out.append(
                indent + s("~ ", "~") + f"{label} children order: {order_text(c.get('before'), c.get('after'))}"
            )
    return out


def _attribute_lines(attrs: Mapping[str, Any], indent: str, s: Style) -> list[str]:
    """The attributes of a new schema node, a long or multi-line text (a formula) as a block."""
    out = []
    for name, value in attrs.items():
        if name == "category":
            continue
        head = indent + s("+ ", "+") + str(name)
        if isinstance(value, str) and ("\n" in value or len(value) > MAX_INLINE):
            block = _text_block(value, indent + "    ", s, "+")
        else:
            block = fmt_block(value, indent + "    ")
        out.extend([f"{head} = {block[0]}", *block[1:]])
    return out


def schema_counts(changes: Iterable[Mapping[str, Any]]) -> str:
    """``2 sections, 14 datapoints`` (of a schema being created)."""
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.get("category", "node")] = counts.get(c.get("category", "node"), 0) + 1
    return ", ".join(_plural(n, c) for c, n in sorted(counts.items())) or "empty"


def schema_summary(changes: Iterable[Mapping[str, Any]]) -> str:
    """``nodes: 1 added, 2 changed`` (an update of schema content, in a few words)."""
    nodes: dict[str, set[str]] = {"added": set(), "removed": set(), "changed": set()}
    for c in changes:
        op = c.get("op")
        nodes["added" if op == "add" else "removed" if op == "remove" else "changed"].add(str(c.get("node")))
    parts = [f"{len(ids)} {word}" for word, ids in nodes.items() if ids]
    return "nodes: " + ", ".join(parts) if parts else "no node changes"


def field_lines(field: Mapping[str, Any], action: str, s: Style, layout: Layout = TEXT_LAYOUT) -> list[str]:
    """The lines of one field change of an action (``create`` shows values, anything else before and after)."""
    indent, sub = layout.field, layout.sub
    path = field["path"]
    form = field.get("format", "value")
    tail = "  # forces replacement" if field.get("forces_replacement") else ""
    if field.get("note"):
        tail += f"  # {field['note']}"
    creating = action == "create"
    sym = "+" if creating else "~"
    head = indent + s(sym, sym) + " " + path
    if form == "schema":
        changes = field.get("schema_changes", [])
        if creating:
            return [f"{head} = ({schema_counts(changes)})", *schema_lines(changes, layout, s)]
        return [f"{head}:{tail}", *schema_lines(changes, layout, s)]
    if form == "nested" and field.get("items") and not creating:
        items = field["items"]
        if tail:
            lines = [f"{head}:{tail}"]
            for item in items:
                lines.extend(item_lines(item, "", sub, layout, s))
            return lines
        return [line for item in items for line in item_lines(item, "", indent, layout, s)]
    if form == "text" and not field.get("sensitive"):
        if creating:
            block = _text_block(field.get("after"), sub, s, "+")
            return [f"{head} = {block[0]}", *block[1:]]
        return [f"{head}:{tail}", *text_diff(field.get("before"), field.get("after"), layout.diff_indent(sub), s)]
    if form == "set" and not creating and not field.get("sensitive"):
        before = field.get("before") if isinstance(field.get("before"), list) else []
        after = field.get("after") if isinstance(field.get("after"), list) else []
        before_set = {fmt(v) for v in before or []}
        after_set = {fmt(v) for v in after or []}
        added = [fmt(v) for v in after or [] if fmt(v) not in before_set]
        removed = [fmt(v) for v in before or [] if fmt(v) not in after_set]
        parts = [s("+ " + v, "+") for v in added] + [s("- " + v, "-") for v in removed]
        return [f"{head}: {', '.join(parts) or fmt(after)}{tail}"]
    if creating:
        if field.get("sensitive"):
            return [f"{head} = {SENSITIVE}{tail}"]
        if field.get("after_unknown") and field.get("after") == UNKNOWN:
            return [f"{head} = {UNKNOWN}{tail}"]
        block = fmt_block(field.get("after"), sub)
        block[-1] += tail
        return [f"{head} = {block[0]}", *block[1:]]
    if field.get("sensitive"):
        return [f"{head}: {SENSITIVE}{tail}"]
    return _change_value(
        field.get("before"), field.get("after"), bool(field.get("after_unknown")), head, tail, sub, s
    )


def field_summary(field: Mapping[str, Any]) -> str:
    """A field change in a few words (for one-line-per-object plans): ``content (+1 ~2 nodes)``, ``settings``."""
    path = str(field.get("path", ""))
    if field.get("format") == "schema":
        return f"{path} ({schema_summary(field.get('schema_changes', []))})"
    items = field.get("items") or []
    if field.get("format") == "nested" and items:
        return f"{path} ({_plural(len(items), 'change')})"
    return path


def usage_text(used_by: Mapping[str, Any]) -> str:
    """``used by Queue/a, Queue/b and 1 queue not managed by this stack``."""
    kind = str(used_by.get("kind") or "object").lower()
    managed = [str(a) for a in used_by.get("managed") or []]
    others = int(used_by.get("unmanaged") or 0)
    parts = list(managed)
    if others:
        parts.append(f"{_plural(others, kind)} not managed by this stack")
    if not parts:
        return f"used by no {kind}"
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"used by {listed}"
