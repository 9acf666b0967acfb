"""Mentions of schema ids in code and TxScript text, found without running anything.

Source text is split into code, string literals and comments (Python and TxScript: ``#`` comments, ``'``/``"``
strings, triple quotes, string prefixes; JavaScript: ``//`` and ``/* */`` comments, ``'``/``"`` strings and template
literals). Comments are ignored. What counts as a mention:

- ``field.ID`` in code (TxScript's field accessor, also ``t.field.ID``), ``ROW.ID`` for a loop variable of
  ``for ROW in field.TABLE``, and ``getattr(field, "ID")``; inside f-strings and template literals the code between
  braces is code;
- string literals, each with whether it stands in a schema-id position (``schema_id == "ID"``,
  ``{"schema_id": "ID"}``, ``schema_id in ("a", "b")``, ``find_by_schema_id(content, "ID")``);
- ``{{ annotation.content.value.ID }}`` placeholders of email templates.

Offsets are into the text given, so the same scan on the text as written in a file gives file positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Language = Literal["python", "javascript"]

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""What a schema id looks like when it is written in code (ids are short identifiers)."""

_FIELD = re.compile(r"(?<![\w$])(?:[A-Za-z_]\w*\.)*field\.([A-Za-z_]\w*)")
_GETATTR = re.compile(r"getattr\(\s*(?:[A-Za-z_]\w*\.)*field\s*,\s*(['\"])([A-Za-z_]\w*)\1")
_LOOP = re.compile(r"\bfor\s+([A-Za-z_]\w*)\s+(?:in|of)\s+(?:[A-Za-z_]\w*\.)*field\.([A-Za-z_]\w*)")
_PLACEHOLDER = re.compile(r"\{\{\s*annotation\.content\.value\.([A-Za-z_]\w*)\s*(?:\|[^}]*)?\}\}")
_BEFORE_ID = re.compile(
    r"(?:schema_id['\"]?\s*\]?\)?\s*(?:===?|!==?|:|=|,)\s*"  # schema_id == "x", "schema_id": "x", schema_id="x"
    r"|schema_id['\"]?\s*\]?\)?\s+(?:not\s+)?in\s+[\[({][^\])}]*"  # schema_id in ("a", "x"
    r"|(?:schema_id|schema_ids)\s*(?:=|:)\s*[\[({][^\])}]*"  # schema_ids = ["a", "x"
    r"|by_schema_id\w*\([^()]*,\s*)$"  # find_by_schema_id(content, "x"
)
_AFTER_ID = re.compile(r"^\s*(?:===?|!==?)\s*[\w.\[\]'\"()]*schema_id")


_SPECIAL = {"python": re.compile(r"[#'\"]"), "javascript": re.compile(r"//|/\*|['\"`]")}
"""Where a comment or a string may start."""


@dataclass(frozen=True)
class Segment:
    kind: Literal["code", "string", "comment"]
    start: int
    end: int
    """``text[start:end]`` is the segment; for a string, its content without prefix and quotes."""
    interpolated: bool = False
    """An f-string or a template literal: code between braces."""


@dataclass(frozen=True)
class Mention:
    schema_id: str
    offset: int
    how: str
    """``field`` (``field.ID``, a loop row, ``getattr``), ``literal`` (a string literal), ``placeholder``."""
    keyed: bool = False
    """A literal in a schema-id position (``schema_id == "ID"``)."""


def segments(text: str, language: Language = "python") -> list[Segment]:
    """``text`` split into code, strings (content only) and comments, in order."""
    out: list[Segment] = []
    i, n, code_start = 0, len(text), 0

    def close_code(end: int) -> None:
        if end > code_start:
            out.append(Segment("code", code_start, end))

    special = _SPECIAL[language]
    while i < n:
        found = special.search(text, i)
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if (language == "python" and ch == "#") or (language == "javascript" and text.startswith("//", i)):
            close_code(i)
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(Segment("comment", i, end))
            i = code_start = end
            continue
        if language == "javascript" and text.startswith("/*", i):
            close_code(i)
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(Segment("comment", i, end))
            i = code_start = end
            continue
        prefix_start = i
        if language == "python":
            while prefix_start > code_start and text[prefix_start - 1] in "rRbBuUfF" and i - prefix_start < 2:
                prefix_start -= 1
            if prefix_start > code_start and (text[prefix_start - 1].isalnum() or text[prefix_start - 1] == "_"):
                prefix_start = i  # an identifier ending in r/b/f, not a prefix
        prefix = text[prefix_start:i].lower()
        close_code(prefix_start)
        quote = text[i : i + 3] if language == "python" and text[i : i + 3] in ("'''", '"""') else ch
        body = i + len(quote)
        end = _string_end(text, body, quote, raw="r" in prefix)
        out.append(Segment("string", body, min(end, n), interpolated="f" in prefix or quote == "`"))
        i = code_start = min(end + len(quote), n)
    close_code(n)
    return out


def _string_end(text: str, start: int, quote: str, raw: bool) -> int:
    """Where the closing quote starts (the end of the text if there is none; a one-line string ends at the line)."""
    i, n = start, len(text)
    single_line = len(quote) == 1 and quote != "`"
    while i < n:
        if text[i] == "\\" and not raw:
            i += 2
            continue
        if text[i] == "\\" and raw:  # a raw string still cannot end in an escaped quote
            i += 2
            continue
        if text.startswith(quote, i):
            return i
        if single_line and text[i] == "\n":
            return i
        i += 1
    return n


def _code_parts(text: str, segs: list[Segment]) -> list[tuple[int, str]]:
    """(offset, code) for every code segment and every interpolation inside f-strings / template literals."""
    parts: list[tuple[int, str]] = []
    for seg in segs:
        if seg.kind == "code":
            parts.append((seg.start, text[seg.start : seg.end]))
        elif seg.kind == "string" and seg.interpolated:
            body = text[seg.start : seg.end]
            for found in re.finditer(r"\$?\{([^{}]*)\}", body):
                if found.start() > 0 and body[found.start() - 1] == "{":
                    continue  # {{ is a literal brace in an f-string
                parts.append((seg.start + found.start(1), found.group(1)))
    return parts


def field_mentions(text: str, language: Language = "python", segs: list[Segment] | None = None) -> list[Mention]:
    """``field.ID`` (and loop rows, ``getattr``) in the code of ``text``, in order."""
    segs = segments(text, language) if segs is None else segs
    parts = _code_parts(text, segs)
    found: list[Mention] = []
    rows: set[str] = set()
    for _offset, code in parts:
        for loop in _LOOP.finditer(code):
            rows.add(loop.group(1))
    for offset, code in parts:
        for match in _FIELD.finditer(code):
            found.append(Mention(match.group(1), offset + match.start(1), "field"))
        for row in rows:
            for match in re.finditer(rf"(?<![\w.$]){re.escape(row)}\.([A-Za-z_]\w*)", code):
                if match.group(1) not in ("attr", "all_values"):
                    found.append(Mention(match.group(1), offset + match.start(1), "field"))
    for match in _GETATTR.finditer(_code_with_strings(text, segs)):
        found.append(Mention(match.group(2), match.start(2), "field"))
    found.sort(key=lambda m: m.offset)
    return _unique(found)


def _code_with_strings(text: str, segs: list[Segment]) -> str:
    """``text`` with comments blanked out (same length), strings kept."""
    chars = list(text)
    for seg in segs:
        if seg.kind == "comment":
            for i in range(seg.start, seg.end):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


def literal_mentions(text: str, language: Language = "python", segs: list[Segment] | None = None) -> list[Mention]:
    """String literals that look like schema ids, each marked ``keyed`` when it stands in a schema-id position."""
    segs = segments(text, language) if segs is None else segs
    visible = _code_with_strings(text, segs)
    found: list[Mention] = []
    for seg in segs:
        if seg.kind != "string":
            continue
        value = text[seg.start : seg.end]
        if not IDENTIFIER.match(value):
            continue
        line_start = visible.rfind("\n", 0, seg.start) + 1
        before = visible[max(line_start, seg.start - 120) : seg.start - 1]
        after = visible[seg.end + 1 : seg.end + 121].split("\n", 1)[0]
        keyed = bool(_BEFORE_ID.search(before) or _AFTER_ID.match(after))
        found.append(Mention(value, seg.start, "literal", keyed))
    return found


def placeholder_mentions(text: str) -> list[Mention]:
    """``{{ annotation.content.value.ID }}`` in an email template text."""
    return [Mention(m.group(1), m.start(1), "placeholder") for m in _PLACEHOLDER.finditer(text)]


def txscript_mentions(text: str) -> list[Mention]:
    """Datapoints a TxScript expression (rule condition, formula) reads."""
    return field_mentions(text, "python")


def code_mentions(text: str, language: Language) -> list[Mention]:
    """Everything a function's code may say about schema ids: ``field.ID`` forms and string literals."""
    segs = segments(text, language)
    found = field_mentions(text, language, segs) + literal_mentions(text, language, segs)
    return sorted(found, key=lambda m: m.offset)


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: set[tuple[int, str]] = set()
    out = []
    for m in mentions:
        if (m.offset, m.schema_id) not in seen:
            seen.add((m.offset, m.schema_id))
            out.append(m)
    return out
