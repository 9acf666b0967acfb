"""Plans and drift reports as Markdown, for a pull-request comment (``plan --format markdown``).

Layout: a heading and the summary line; the warnings (every type, by its message); a table of changes per kind;
then one collapsed ``<details>`` section per object whose field changes are in a fenced ``diff`` block (so ``+`` and
``-`` lines are coloured); the plan's notes last. Like the text renderer it works from the JSON form only, so no
secret can appear (sensitive values are ``null`` there and shown as ``(sensitive)``).

The output fits a comment: past ``MAX_CHARS`` characters the remaining objects are left out, with a note saying how
many and how to see the whole plan.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rossum_iac.engine.render import (
    LEGEND,
    SYMBOLS,
    VERBS,
    action_name,
    compact_line,
    identity,
    kind_counts,
    plan_changes,
    review_warnings,
    summary_line,
    summary_of,
    table_columns,
    warning_text,
)
from rossum_iac.engine.render_changes import FLUSH_LAYOUT, Style, field_lines, fmt, usage_text

MAX_CHARS = 60_000
"""GitHub refuses comments longer than 65,536 characters; this leaves room for a wrapper's own text."""
MAX_LINE = 1_000
"""Longer lines in a fenced block are cut (minified code on one line)."""
_PLAIN = Style(False)
_BACKTICKS = re.compile(r"`+")
DRIFT_STATUSES = {
    "changed": "Changed",
    "missing": "Missing",
    "not_in_manifests": "Not in manifests",
    "unrecorded": "Unrecorded",
}


def esc(text: Any) -> str:
    """Text for Markdown outside code: HTML special characters escaped, line breaks flattened."""
    return html.escape(str(text), quote=False).replace("\r", " ").replace("\n", " ")


def _cell(text: Any) -> str:
    return esc(text).replace("|", "\\|")


def fenced(lines: Iterable[str], info: str = "diff") -> list[str]:
    """A fenced code block whose fence is longer than any run of backticks inside it."""
    body = [line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…" for line in lines]
    longest = max((len(m.group()) for line in body for m in _BACKTICKS.finditer(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *body, fence]


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "| :--- |" + " ---: |" * (len(headers) - 1)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _warnings_block(warnings: list[Mapping[str, Any]]) -> list[str]:
    if not warnings:
        return []
    count = len(warnings)
    lines = ["> [!WARNING]", f"> **{count} warning{'s' if count != 1 else ''}**", ">"]
    for w in warnings:
        if w.get("message"):
            kind = f"**{esc(w['type'])}**: " if w.get("type") else ""
            lines.append(f"> - {kind}{esc(warning_text(w))}")
        else:
            lines.append(f"> - {esc(warning_text(w))}")
    return [*lines, ""]


def _notes_block(notes: list[Any]) -> list[str]:
    if not notes:
        return []
    return ["**Notes**", "", *(f"- {esc(n)}" for n in notes), ""]


def _details(summary: str, before: list[str], block: list[str]) -> list[str]:
    """A collapsed section; an object with nothing more to say than its summary gets a plain line."""
    if not before and not block:
        return [summary, ""]
    out = [f"<details><summary>{summary}</summary>", ""]
    out.extend(before)
    if block:
        out.extend(fenced(block))
        out.append("")
    out.extend(["</details>", ""])
    return out


def _change_section(change: Mapping[str, Any], max_lines: int | None = None) -> list[str]:
    action = action_name(change)
    sym = SYMBOLS[action]
    ident = identity(change)
    summary = f"<code>{esc(sym)} {esc(change['address'])}</code>"
    if ident:
        summary += f" ({esc(ident)})"
    summary += f" {VERBS[action]}"
    if change.get("adopt"):
        summary += " (adopting an existing object)"
    if change.get("protect"):
        summary += " · protected"
    if change.get("used_by"):
        summary += f" · {esc(usage_text(change['used_by']))}"
    before = [f"- {esc(note)}" for note in change.get("notes", [])]
    if before:
        before.append("")
    block: list[str] = []
    if action in ("create", "update", "replace", "create-replace"):
        for field in change.get("changes", []):
            block.extend(field_lines(field, action, _PLAIN, FLUSH_LAYOUT))
    if max_lines is not None and len(block) > max_lines:
        left = len(block) - max_lines
        block = [*block[:max_lines], f"… {left} more line{'s' if left != 1 else ''} not shown"]
    return _details(summary, before, block)


class _Budget:
    """Assembles sections while they fit in ``limit`` characters (keeping ``reserve`` for the closing note)."""

    def __init__(self, limit: int, reserve: int = 400) -> None:
        self.limit = limit
        self.reserve = reserve
        self.lines: list[str] = []
        self.size = 0
        self.shortened = False
        """Whether a section was added without all of its lines."""

    def room(self) -> int:
        return self.limit - self.reserve - self.size

    def fits(self, lines: list[str]) -> bool:
        return _size(lines) <= self.room()

    def add(self, lines: list[str]) -> None:
        self.lines.extend(lines)
        self.size += _size(lines)

    def add_longest(self, build: Callable[[int | None], list[str]], total: int, *, partial: bool = True) -> int:
        """Add the longest version of a section that fits: ``build(None)`` is all of it, ``build(n)`` keeps ``n`` of
        its ``total`` lines or items. Returns how many were kept (``total`` for all, -1 when nothing fits or, unless
        ``partial``, when not all of it fits)."""
        full = build(None)
        if self.fits(full):
            self.add(full)
            return total
        if not partial:
            return -1
        low, high, best, kept = 0, total - 1, None, -1
        while low <= high:
            middle = (low + high) // 2
            candidate = build(middle)
            if self.fits(candidate):
                best, kept, low = candidate, middle, middle + 1
            else:
                high = middle - 1
        if best is not None:
            self.add(best)
            self.shortened = True
        return kept

    def text(self, closing: list[str]) -> str:
        out = "\n".join([*self.lines, *closing]).rstrip("\n") + "\n"
        if len(out) > self.limit:  # never expected: the reserve covers the closing note
            out = out[: self.limit - 2].rstrip("\n") + "\n"
        return out


def _truncation_note(what: str, limit: int, command: str = "rossum-iac plan") -> list[str]:
    return [
        "> [!NOTE]",
        f"> **Truncated:** {what} (a comment is limited to {limit:,} characters). Run `{command}` to see all of it.",
        "",
    ]


_SHORTENED = ["_Some sections are shortened (length limit); run `rossum-iac plan` to see all of them._", ""]


def render_plan_markdown(plan: Mapping[str, Any], *, compact: bool = False, max_chars: int = MAX_CHARS) -> str:
    """A plan (its JSON form) as Markdown; ``compact``: one line per object instead of a section per object."""
    changes = plan_changes(plan)
    org = (plan.get("target") or {}).get("organization") or {}
    env = f", environment `{esc(plan['environment'])}`" if plan.get("environment") else ""
    where = f'organization "{esc(org.get("name"))}" (id {esc(org.get("id"))})' if org else "the organization"
    head = [f"### rossum-iac plan: stack `{esc(plan.get('stack'))}`{env}", ""]
    if changes:
        head += [f"**{summary_line(summary_of(changes))}** Against {where}.", ""]
    else:
        head += [f"**No changes.** The organization matches the manifests ({where}).", ""]
    head += _warnings_block(review_warnings(plan))
    if changes:
        counts = kind_counts(changes)
        columns = table_columns(counts)
        rows = [[_cell(k), *(str(r[c]) for c in columns)] for k, r in counts.items()]
        rows.append(["**Total**", *(f"**{sum(r[c] for r in counts.values())}**" for c in columns)])
        head += [*_table(["Kind", *(c.capitalize() for c in columns)], rows), ""]
        used = [n for n in LEGEND if any(action_name(c) == n for c in changes)]
        head += ["Symbols: " + ", ".join(f"`{SYMBOLS[n]}` {LEGEND[n]}" for n in used) + ".", ""]
    budget = _Budget(max_chars)
    budget.add_longest(lambda n: head if n is None else head[:n], len(head))
    notes = list(plan.get("notes", []))
    lines = [compact_line(c, _PLAIN).lstrip() for c in changes]  # symbols first: coloured in a diff block
    sections = [functools.partial(_change_section, c) for c in changes]
    listed = len(changes)
    if changes and (compact or sum(_size(build(None)) for build in sections) > budget.room()):
        title = [] if compact else [f"All {len(changes)} objects (details below, as many as fit):", ""]
        listed = max(budget.add_longest(lambda n: [*title, *fenced(lines[:n] if n is not None else lines), ""],
                                        len(lines)), 0)
    shown = 0
    if not compact:
        for change, build in zip(changes, sections, strict=True):
            if budget.add_longest(build, _block_size(change), partial=_huge(build, max_chars) or not shown) < 0:
                break
            shown += 1
    closing: list[str] = []
    if compact and listed < len(changes):
        closing = _truncation_note(f"{len(changes) - listed} of {len(changes)} objects are not listed", max_chars)
    elif not compact and shown < len(changes):
        missing = f"details of {len(changes) - shown} of {len(changes)} objects are not shown"
        missing += "; every object is listed above" if listed == len(changes) else (
            f"; only the first {listed} are listed above")
        closing = _truncation_note(missing, max_chars)
    elif budget.shortened:
        closing = list(_SHORTENED)
    if (not closing or closing == _SHORTENED) and notes:
        block = _notes_block(notes)
        closing += block if budget.fits([*closing, *block]) else [f"_{len(notes)} notes not shown (length limit)._"]
    return budget.text(closing)


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _huge(build: Callable[[int | None], list[str]], limit: int) -> bool:
    """A section too long for a comment of its own, shown shortened rather than left for the next objects."""
    return _size(build(None)) > limit // 2


def _block_size(change: Mapping[str, Any]) -> int:
    return sum(len(field_lines(f, action_name(change), _PLAIN, FLUSH_LAYOUT)) for f in change.get("changes", []))


def _drift_section(obj: Mapping[str, Any], max_lines: int | None = None) -> list[str]:
    status = obj.get("status", "changed")
    ident = f" (id {esc(obj['id'])})" if obj.get("id") is not None else ""
    what = {
        "missing": ("!", "is missing from the organization"),
        "unrecorded": ("~", "exists, but its ownership is not recorded (apply records it)"),
        "not_in_manifests": ("!", "is owned by this stack but not in the manifests"),
    }.get(status, ("~", "differs from the manifests"))
    summary = f"<code>{what[0]} {esc(obj['address'])}</code>{ident} {what[1]}"
    block = [line for f in obj.get("fields", []) for line in field_lines(f, "update", _PLAIN, FLUSH_LAYOUT)]
    if max_lines is not None and len(block) > max_lines:
        left = len(block) - max_lines
        block = [*block[:max_lines], f"… {left} more line{'s' if left != 1 else ''} not shown"]
    return _details(summary, [], block)


def render_drift_markdown(report: Mapping[str, Any], *, max_chars: int = MAX_CHARS) -> str:
    """A drift report (``DriftReport.to_json()``) as Markdown."""
    objects = list(report.get("objects", []))
    org = report.get("organization") or {}
    where = f' in organization "{esc(org.get("name"))}" (id {esc(org.get("id"))})' if org else ""
    head = [f"### rossum-iac drift: stack `{esc(report.get('stack'))}`", ""]
    if objects:
        count = len(objects)
        head += [f"**Drift: {count} object{'s' if count != 1 else ''} differ{'s' if count == 1 else ''} from the "
                 f"manifests**{where}.", ""]
    else:
        head += [f"**No drift.** Every object this stack owns matches the manifests{where}.", ""]
    head += _warnings_block([w for w in report.get("warnings", []) if isinstance(w, Mapping)])
    if objects:
        counts: dict[str, dict[str, int]] = {}
        for obj in objects:
            kind = str(obj.get("address", "?")).split("/", 1)[0]
            row = counts.setdefault(kind, dict.fromkeys(DRIFT_STATUSES, 0))
            status = obj.get("status", "changed")
            row[status if status in row else "changed"] += 1
        columns = [s for s in DRIFT_STATUSES if any(r[s] for r in counts.values())]
        rows = [[_cell(k), *(str(r[c]) for c in columns)] for k, r in counts.items()]
        head += [*_table(["Kind", *(DRIFT_STATUSES[c] for c in columns)], rows), ""]
    budget = _Budget(max_chars)
    budget.add_longest(lambda n: head if n is None else head[:n], len(head))
    shown = 0
    for obj in objects:
        size = sum(len(field_lines(f, "update", _PLAIN, FLUSH_LAYOUT)) for f in obj.get("fields", []))
        build = functools.partial(_drift_section, obj)
        if budget.add_longest(build, size, partial=_huge(build, max_chars) or not shown) < 0:
            break
        shown += 1
    closing: list[str] = []
    if shown < len(objects):
        what = f"{len(objects) - shown} of {len(objects)} objects are not shown"
        closing = _truncation_note(what, max_chars, "rossum-iac drift")
    else:
        extra = _unmanaged_block(report.get("unmanaged")) + _notes_block(list(report.get("notes", [])))
        if budget.fits(extra):
            closing = extra
        else:
            closing = ["", "_The list of unmanaged objects and the notes are not shown (length limit)._", ""]
    return budget.text(closing)


def _unmanaged_block(unmanaged: Any) -> list[str]:
    if unmanaged is None:
        return []
    if not unmanaged:
        return ["Unmanaged objects: none.", ""]
    lines = [f"- {esc(u.get('kind'))} {esc(u.get('id'))}" + (f" {esc(fmt(u['name']))}" if u.get("name") else "")
             + (f" (template of {esc(u['queue'])})" if u.get("queue") else "") for u in unmanaged]
    return _details(f"Unmanaged objects ({len(unmanaged)}, owned by no stack)", [*lines, ""], [])
