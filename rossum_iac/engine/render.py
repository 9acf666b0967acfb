"""Human-readable text of plans, apply results and drift reports.

Every function here is pure and works from the JSON forms only (``Plan.to_json()`` and friends), so what a reviewer
reads is exactly what is saved in a plan file and applied. A plan starts with its warnings and a table of changes
per kind; ``compact`` shows one line per object instead of every field (``render_markdown`` writes the same plan
for a pull request). Symbols follow Terraform: ``+`` create, ``~`` update in
place, ``-`` destroy, ``+/-`` create a replacement and then destroy, ``-/+`` destroy and then create a replacement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rossum_iac.engine import render_changes
from rossum_iac.engine.render_changes import TEXT_LAYOUT, Layout, field_lines, field_summary, usage_text
from rossum_iac.kinds import KIND_NAMES

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
MAX_INLINE = render_changes.MAX_INLINE
Style = render_changes.Style
fmt = render_changes.fmt
COUNT_COLUMNS = ("add", "change", "destroy", "adopt", "forget")
"""Columns of the per-kind table (``adopt`` and ``forget`` only when some object has them)."""
MAX_COMPACT = 200
"""A one-line-per-object entry longer than this is cut."""


def _action_name(change: Mapping[str, Any]) -> str:
    actions = list(change.get("actions", []))
    if actions == ["delete", "create"]:
        return "replace"
    return "create-replace" if actions == ["create", "delete"] else actions[0]


action_name = _action_name


def count_key(change: Mapping[str, Any]) -> tuple[str, ...]:
    """The summary counts an action adds to (a replacement adds one and destroys one)."""
    action = _action_name(change)
    if action == "create":
        return ("add",)
    if action in ("replace", "create-replace"):
        return ("add", "destroy")
    if action == "delete":
        return ("destroy",)
    if action == "forget":
        return ("forget",)
    if action == "update":
        return ("change",) if change.get("changes") else ("adopt",)
    return ()


def kind_counts(changes: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Kind -> count per column, kinds in the order of the kind definitions (unknown kinds last)."""
    counts: dict[str, dict[str, int]] = {}
    for c in changes:
        kind = str(c.get("kind") or str(c.get("address", "?")).split("/", 1)[0])
        row = counts.setdefault(kind, dict.fromkeys(COUNT_COLUMNS, 0))
        for key in count_key(c):
            row[key] += 1
    order = {name: i for i, name in enumerate(KIND_NAMES)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def table_columns(counts: Mapping[str, Mapping[str, int]]) -> list[str]:
    return [c for c in COUNT_COLUMNS if c in ("add", "change", "destroy") or any(r[c] for r in counts.values())]


def kind_table(changes: Iterable[Mapping[str, Any]], indent: str = "  ") -> list[str]:
    """The per-kind table of a plan's changes (text)."""
    counts = kind_counts(changes)
    columns = table_columns(counts)
    width = max([len("KIND"), len("Total"), *(len(k) for k in counts)])
    rows = [[k, *(str(r[c]) for c in columns)] for k, r in counts.items()]
    rows.append(["Total", *(str(sum(r[c] for r in counts.values())) for c in columns)])
    header = [f"{'KIND':<{width}}", *(f"{c.upper():>7}" for c in columns)]
    lines = [indent + "  ".join(header)]
    for row in rows:
        lines.append(indent + "  ".join([f"{row[0]:<{width}}", *(f"{v:>7}" for v in row[1:])]))
    return lines


def identity(change: Mapping[str, Any]) -> str:
    """``id 3, "Name"`` (empty for an object without either)."""
    ident = []
    if change.get("id") is not None:
        ident.append(f"id {change['id']}")
    if change.get("name"):
        ident.append(fmt(change["name"]))
    return ", ".join(ident)


def render_change(change: Mapping[str, Any], s: Style, layout: Layout = TEXT_LAYOUT) -> list[str]:
    action = _action_name(change)
    sym = SYMBOLS[action]
    address = change["address"]
    ident = identity(change)
    label = f"{address} ({ident})" if ident else address
    lines = [f"  # {address} {VERBS[action]}" + (" (adopting an existing object)" if change.get("adopt") else "")]
    lines.append(s(f"{sym:>3}", sym) + " " + s(label, "bold"))
    if change.get("used_by"):
        lines.append(f"{layout.field}# {usage_text(change['used_by'])}")
    for note in change.get("notes", []):
        lines.append(f"{layout.field}# {note}")
    if action in ("create", "update", "replace", "create-replace"):
        for field in change.get("changes", []):
            lines.extend(field_lines(field, action, s, layout))
    return lines


def compact_line(change: Mapping[str, Any], s: Style) -> str:
    """One line for one object: symbol, address, identity and the fields that change."""
    action = _action_name(change)
    sym = SYMBOLS[action]
    ident = identity(change)
    text = change["address"] + (f" ({ident})" if ident else "")
    details = []
    if action in ("update", "replace", "create-replace"):
        fields = [
            field_summary(f) + (" (forces replacement)" if f.get("forces_replacement") else "")
            for f in change.get("changes", [])
        ]
        if fields:
            details.append(", ".join(fields))
    if change.get("adopt"):
        details.append("adopting an existing object")
    if action == "forget":
        details.append("no longer managed")
    if change.get("used_by"):
        details.append(usage_text(change["used_by"]))
    if details:
        text += ": " + "; ".join(details)
    if len(text) > MAX_COMPACT:
        text = text[: MAX_COMPACT - 1] + "…"
    return s(f"{sym:>3}", sym) + " " + text


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


def summary_of(changes: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out = dict.fromkeys(COUNT_COLUMNS, 0)
    for c in changes:
        for key in count_key(c):
            out[key] += 1
    return out


_summary_of = summary_of


def plan_changes(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The actions of a plan that change something (no no-ops)."""
    return [c for c in plan.get("resource_changes", []) if _action_name(c) != "no-op"]


def warning_text(warning: Mapping[str, Any]) -> str:
    """A warning's message (any ``type``: new types need no change here); without one, its type and address."""
    message = warning.get("message")
    if message:
        return str(message)
    kind, address = warning.get("type") or "warning", warning.get("address")
    return f"{kind}: {address}" if address else str(kind)


def review_warnings(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """What a reviewer must see first: the plan's ``warnings`` (duplicates, breaking changes, any other type), and
    protected objects the plan would destroy or replace (only in plans that do not stop there, such as drift's)."""
    out: list[Mapping[str, Any]] = [w for w in plan.get("warnings", []) if isinstance(w, Mapping)]
    for c in plan_changes(plan):
        action = _action_name(c)
        if c.get("protect") and action in ("delete", "replace", "create-replace"):
            verb = "destroy" if action == "delete" else "replace"
            out.append(
                {
                    "type": "protected",
                    "address": c["address"],
                    "message": f"{c['address']} is protected (protect: true), but the plan would {verb} it",
                }
            )
    return out


def plan_heading(plan: Mapping[str, Any]) -> str:
    org = (plan.get("target") or {}).get("organization") or {}
    env = f", environment {plan['environment']!r}" if plan.get("environment") else ""
    where = f"organization {org.get('name')!r} (id {org.get('id')})" if org else "the organization"
    return f"Stack {plan.get('stack')!r}{env} against {where}."


def render_plan(plan: Mapping[str, Any], *, color: bool = False, compact: bool = False) -> str:
    """The text of a plan (from its JSON form); ``compact``: one line per object."""
    s = Style(color)
    lines = [plan_heading(plan), ""]
    warnings = review_warnings(plan)
    if warnings:
        lines.append(s(f"Warning{'s' if len(warnings) > 1 else ''}:", "-"))
        lines.extend(f"  ! {warning_text(w)}" for w in warnings)
        lines.append("")
    changes = plan_changes(plan)
    if not changes:
        lines.append(s("No changes.", "bold") + " The organization matches the manifests.")
    else:
        lines.append("Changes by kind:")
        lines.extend(kind_table(changes))
        lines.append("")
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
            if compact:
                lines.append(compact_line(c, s))
            else:
                lines.extend(render_change(c, s))
                lines.append("")
        if compact:
            lines.append("")
        lines.append(s(summary_line(summary_of(changes)), "bold"))
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


DRIFT_LAYOUT = Layout(field="    ", sub="        ")


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
                lines.extend(field_lines(field, "update", s, DRIFT_LAYOUT))
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
