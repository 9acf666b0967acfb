"""Human-readable text of plans, apply results and drift reports.

Every function here is pure and works from the JSON forms only (``Plan.to_json()`` and friends), so what a reviewer
reads is exactly what is saved in a plan file and applied. Symbols follow Terraform: ``+`` create, ``~`` update in
place, ``-`` destroy, ``+/-`` create a replacement and then destroy, ``-/+`` destroy and then create a replacement.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

SYMBOLS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "replace": "-/+",
    "create-replace": "+/-",
    "forget": ".",
    "no-op": " ",
}
VERBS = {
    "create": "will be created",
    "update": "will be updated in place",
    "delete": "will be destroyed",
    "replace": "must be replaced",
    "create-replace": "must be replaced",
    "forget": "will no longer be managed",
}
LEGEND = {
    "create": "create",
    "update": "update in place",
    "delete": "destroy",
    "replace": "destroy and then create replacement",
    "create-replace": "create replacement and then destroy",
    "forget": "stop managing (kept in the organization)",
}
_COLOURS = {"+": "32", "~": "33", "-": "31", "-/+": "35", "+/-": "35", ".": "36", "bold": "1", "dim": "2"}
MAX_INLINE = 100


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, what: str) -> str:
        code = _COLOURS.get(what)
        if not self.color or code is None:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def _action_name(change: Mapping[str, Any]) -> str:
    actions = list(change.get("actions", []))
    if actions == ["delete", "create"]:
        return "replace"
    return "create-replace" if actions == ["create", "delete"] else actions[0]


def fmt(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _fmt_block(value: Any, indent: str) -> list[str]:
    """A value on one line if short, else pretty-printed over several lines."""
    text = fmt(value)
    if len(text) <= MAX_INLINE or not isinstance(value, dict | list):
        return [text]
    lines = json.dumps(value, ensure_ascii=False, indent=2).splitlines()
    return [lines[0]] + [indent + line for line in lines[1:]]


def _value(field: Mapping[str, Any], which: str) -> str:
    if field.get("sensitive"):
        return "(sensitive)"
    value = field.get(which)
    if which == "after" and field.get("after_unknown") and value == "(known after apply)":
        return "(known after apply)"
    return fmt(value)


def _node_label(category: str, node: str) -> str:
    return f"{category} {fmt(node)}" if category else fmt(node)


def _schema_lines(changes: Iterable[Mapping[str, Any]], indent: str, s: Style) -> list[str]:
    out = []
    for c in changes:
        label = _node_label(c.get("category", ""), c["node"])
        where = f" (in {fmt(c['parent'])})" if c.get("parent") else ""
        op = c["op"]
        if op == "add":
            out.append(indent + s(f"+ {label}{where}", "+"))
        elif op == "remove":
            out.append(indent + s(f"- {label}{where}", "-"))
        elif op == "change":
            out.append(
                indent + s("~ ", "~") + f"{label} {c['attr']}: {fmt(c.get('before'))} -> {fmt(c.get('after'))}"
            )
        elif op == "move":
            before = fmt(c.get("before")) if c.get("before") else "top level"
            after = fmt(c.get("after")) if c.get("after") else "top level"
            out.append(indent + s("~ ", "~") + f"{label} moved: {before} -> {after}")
        elif op == "reorder":
            out.append(
                indent + s("~ ", "~") + f"{label} children order: {fmt(c.get('before'))} -> {fmt(c.get('after'))}"
            )
    return out


def _text_diff(before: Any, after: Any, indent: str, s: Style) -> list[str]:
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


def _field_lines(field: Mapping[str, Any], action: str, s: Style) -> list[str]:
    indent = "      "
    path = field["path"]
    fmt_kind = field.get("format", "value")
    tail = "  # forces replacement" if field.get("forces_replacement") else ""
    if field.get("note"):
        tail += f"  # {field['note']}"
    creating = action == "create"
    sym = "+" if creating else "~"
    head = indent + s(sym, sym) + " " + path
    if fmt_kind == "schema":
        changes = field.get("schema_changes", [])
        if creating:
            counts: dict[str, int] = {}
            for c in changes:
                counts[c.get("category", "node")] = counts.get(c.get("category", "node"), 0) + 1
            summary = ", ".join(f"{n} {c}{'s' if n != 1 else ''}" for c, n in sorted(counts.items())) or "empty"
            return [f"{head} = ({summary})", *_schema_lines(changes, indent + "    ", s)]
        return [f"{head}:{tail}", *_schema_lines(changes, indent + "    ", s)]
    if fmt_kind == "text" and not field.get("sensitive"):
        if creating:
            lines = str(field.get("after") or "").splitlines()
            return [f"{head} = <<-EOT ({len(lines)} lines)", *(indent + "    " + s(line, "+") for line in lines),
                    indent + "    EOT"]
        return [f"{head}:{tail}", *_text_diff(field.get("before"), field.get("after"), indent + "    ", s)]
    if fmt_kind == "set" and not creating and not field.get("sensitive"):
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
            return [f"{head} = (sensitive){tail}"]
        if field.get("after_unknown") and field.get("after") == "(known after apply)":
            return [f"{head} = (known after apply){tail}"]
        block = _fmt_block(field.get("after"), indent + "    ")
        block[-1] += tail
        return [f"{head} = {block[0]}", *block[1:]]
    if field.get("sensitive"):
        return [f"{head}: (sensitive){tail}"]
    before_block = _fmt_block(field.get("before"), indent + "    ")
    after_text = _value(field, "after")
    if len(before_block) == 1 and len(after_text) + len(before_block[0]) <= 2 * MAX_INLINE:
        return [f"{head}: {before_block[0]} -> {after_text}{tail}"]
    after_block = _fmt_block(field.get("after"), indent + "    ") if not field.get("after_unknown") else [after_text]
    return [
        f"{head}:{tail}",
        indent + "    " + s("- ", "-") + before_block[0],
        *before_block[1:],
        indent + "    " + s("+ ", "+") + after_block[0],
        *after_block[1:],
    ]


def render_change(change: Mapping[str, Any], s: Style) -> list[str]:
    action = _action_name(change)
    sym = SYMBOLS[action]
    address = change["address"]
    ident = []
    if change.get("id") is not None:
        ident.append(f"id {change['id']}")
    if change.get("name"):
        ident.append(fmt(change["name"]))
    label = f"{address} ({', '.join(ident)})" if ident else address
    lines = [f"  # {address} {VERBS[action]}" + (" (adopting an existing object)" if change.get("adopt") else "")]
    lines.append(s(f"{sym:>3}", sym) + " " + s(label, "bold"))
    for note in change.get("notes", []):
        lines.append(f"      # {note}")
    if action in ("create", "update", "replace", "create-replace"):
        for field in change.get("changes", []):
            lines.extend(_field_lines(field, action, s))
    return lines


def summary_line(summary: Mapping[str, int]) -> str:
    parts = []
    if summary.get("adopt"):
        parts.append(f"{summary['adopt']} to adopt")
    parts.append(f"{summary.get('add', 0)} to add")
    parts.append(f"{summary.get('change', 0)} to change")
    parts.append(f"{summary.get('destroy', 0)} to destroy")
    if summary.get("forget"):
        parts.append(f"{summary['forget']} to forget")
    return "Plan: " + ", ".join(parts) + "."


def _summary_of(changes: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out = {"add": 0, "change": 0, "destroy": 0, "adopt": 0, "forget": 0}
    for c in changes:
        action = _action_name(c)
        if action == "create":
            out["add"] += 1
        elif action in ("replace", "create-replace"):
            out["add"] += 1
            out["destroy"] += 1
        elif action == "delete":
            out["destroy"] += 1
        elif action == "forget":
            out["forget"] += 1
        elif action == "update":
            out["change" if c.get("changes") else "adopt"] += 1
    return out


def render_plan(plan: Mapping[str, Any], *, color: bool = False) -> str:
    """The text of a plan (from its JSON form)."""
    s = Style(color)
    org = (plan.get("target") or {}).get("organization") or {}
    env = f", environment {plan['environment']!r}" if plan.get("environment") else ""
    where = f"organization {org.get('name')!r} (id {org.get('id')})" if org else "the organization"
    lines = [f"Stack {plan.get('stack')!r}{env} against {where}.", ""]
    warnings = list(plan.get("warnings", []))
    if warnings:
        lines.append(s(f"Warning{'s' if len(warnings) > 1 else ''}:", "-"))
        lines.extend(f"  ! {w.get('message')}" for w in warnings)
        lines.append("")
    changes = [c for c in plan.get("resource_changes", []) if _action_name(c) != "no-op"]
    if not changes:
        lines.append(s("No changes.", "bold") + " The organization matches the manifests.")
    else:
        used = []
        for c in changes:
            name = _action_name(c)
            if name not in used:
                used.append(name)
        lines.append("Actions are shown with these symbols:")
        for name in ("create", "update", "delete", "replace", "create-replace", "forget"):
            if name in used:
                lines.append(s(f"{SYMBOLS[name]:>3}", SYMBOLS[name]) + f" {LEGEND[name]}")
        lines.append("")
        lines.append("rossum-iac will perform the following actions:")
        lines.append("")
        for c in changes:
            lines.extend(render_change(c, s))
            lines.append("")
        lines.append(s(summary_line(_summary_of(changes)), "bold"))
    notes = list(plan.get("notes", []))
    if notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  - {n}" for n in notes)
    return "\n".join(lines) + "\n"


def render_results(results: Mapping[str, Any], *, color: bool = False) -> str:
    """The per-object result table of an apply (``ApplyResult.to_json()``)."""
    s = Style(color)
    rows = results.get("results", [])
    lines = []
    if rows:
        width = max(len(r["address"]) for r in rows)
        lines.append(f"{'OBJECT':<{width}}  {'ACTION':<8}  {'RESULT':<8}  DETAIL")
        for r in rows:
            status = r["status"]
            colour = {"ok": "+", "failed": "-", "skipped": "~"}.get(status, "dim")
            detail = r.get("detail") or (f"id {r['id']}" if r.get("id") is not None else "")
            lines.append(f"{r['address']:<{width}}  {r['action']:<8}  {s(f'{status:<8}', colour)}  {detail}")
        lines.append("")
    counts = results.get("counts", {})
    done = f"{counts.get('added', 0)} added, {counts.get('changed', 0)} changed, {counts.get('destroyed', 0)} destroyed"
    done += "".join(f", {counts[word]} {word}" for word in ("adopted", "forgotten") if counts.get(word))
    if results.get("ok"):
        lines.append(s("Apply complete!", "bold") + f" Objects: {done}.")
    else:
        lines.append(
            s("Apply failed:", "-")
            + f" {counts.get('failed', 0)} failed, {counts.get('skipped', 0)} skipped; {done}. "
            "Fix the cause and run apply again: it continues from the current state."
        )
    return "\n".join(lines) + "\n"


def render_drift(report: Mapping[str, Any], *, color: bool = False) -> str:
    """The text of a drift report (``DriftReport.to_json()``)."""
    s = Style(color)
    lines = []
    objects = report.get("objects", [])
    if not objects:
        lines.append(s("No drift.", "bold") + " Every object this stack owns matches the manifests.")
    for obj in objects:
        status = obj["status"]
        ident = f" (id {obj['id']})" if obj.get("id") is not None else ""
        if status == "missing":
            lines.append(s("! ", "-") + f"{obj['address']}: missing from the organization")
        elif status == "unrecorded":
            lines.append(
                s("~ ", "~") + f"{obj['address']}{ident}: exists, but its ownership is not recorded (apply records it)"
            )
        elif status == "not_in_manifests":
            lines.append(s("! ", "-") + f"{obj['address']}{ident}: owned by this stack but not in the manifests")
        else:
            lines.append(s("~ ", "~") + f"{obj['address']}{ident}: differs from the manifests")
            for field in obj.get("fields", []):
                for line in _field_lines(field, "update", s):
                    lines.append(line.replace("      ", "    ", 1))
    unmanaged = report.get("unmanaged")
    if unmanaged is not None:
        lines.append("")
        if unmanaged:
            lines.append(f"Unmanaged objects ({len(unmanaged)}, owned by no stack):")
            for u in unmanaged:
                name = f" {fmt(u['name'])}" if u.get("name") else ""
                queue = f" (template of {u['queue']})" if u.get("queue") else ""
                lines.append(f"  {u['kind']} {u['id']}{name}{queue}")
        else:
            lines.append("Unmanaged objects: none.")
    if objects:
        lines.append("")
        lines.append(s(f"Drift: {len(objects)} object(s) differ from the manifests.", "bold"))
    return "\n".join(lines) + "\n"
