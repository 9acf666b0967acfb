"""A fast parser for the block-style subset of YAML that manifests are written in.

Supported: ``---`` document separators, comments, block mappings and sequences (including ``- key: value``
compact items), single-line plain/single-quoted/double-quoted scalars, one-line flow sequences and mappings of
scalars (``[a, b]``, ``{file: x.py}``), and literal block scalars (``|`` and ``|-``).

Anything else (anchors, tags, folded or multi-line scalars, complex keys, tabs, timestamps, unusual numbers,
duplicate keys, syntax errors...) raises ``Unsupported`` and the caller falls back to ruamel.yaml, which is also
the reference for every value and position produced here. Plain scalars are typed with ruamel's own resolver so
both parsers agree on what is a string, number, boolean or null.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode

from rossum_iac.manifest.yaml_io import Document, YMap, YSeq


class Unsupported(Exception):
    """The text uses YAML this parser does not handle; parse it with ruamel.yaml instead."""


_RESOLVER = YAML(typ="rt").resolver
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"

_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_KEY_RE = re.compile(
    r"(?:(?P<plain>[A-Za-z0-9_$][A-Za-z0-9_.\-/$]*(?: [A-Za-z0-9_.\-/$]+)*)"
    r"|\"(?P<dq>[^\"\\]*)\"|'(?P<sq>[^']*)')"
    r":(?: +|\Z)"
)
_DQ_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SQ_RE = re.compile(r"'((?:[^']|'')*)'")
_DQ_ESCAPES_RE = re.compile(r"\\(?:[\\\"/ntrbf]|u(?![dD][89a-fA-F])[0-9a-fA-F]{4})")
_BAD_CHARS_RE = re.compile("[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN_START_FORBIDDEN = frozenset("#|>'\"[]{}&*!%@`?:,")
_FLOW_PLAIN_STOP = frozenset(",[]{}#'\"")


@lru_cache(maxsize=4096)
def _resolve_plain(text: str) -> Any:
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT and _INT_RE.match(text):
        return int(text)
    if tag == _FLOAT and _FLOAT_RE.match(text):
        return float(text)
    raise Unsupported(f"scalar {text!r}")


def _plain_value(text: str) -> Any:
    if not text or text[0] in _PLAIN_START_FORBIDDEN or (text[0] == "-" and (len(text) == 1 or text[1] == " ")):
        raise Unsupported("special plain scalar")
    if ": " in text or text.endswith(":") or "\t" in text:
        raise Unsupported("plain scalar with ': '")
    return _resolve_plain(text)


def _strip_comment(text: str) -> str:
    """Drop a trailing `` # comment`` of a plain scalar and surrounding spaces."""
    cut = text.find(" #")
    if cut >= 0:
        text = text[:cut]
    return text.rstrip(" ")


def _double_quoted(inner: str) -> str:
    if "\\" in inner and "\\" in _DQ_ESCAPES_RE.sub("", inner):
        raise Unsupported("escape")
    try:
        value = json.loads(f'"{inner}"')
    except ValueError:
        raise Unsupported("double-quoted scalar") from None
    return str(value)


def _after_scalar(rest: str) -> None:
    """Only spaces and a `` # comment`` may follow a quoted scalar or flow collection on its line."""
    stripped = rest.lstrip(" ")
    if stripped and not (stripped.startswith("#") and len(stripped) < len(rest)):
        raise Unsupported("text after a scalar")


class _Parser:
    def __init__(self, lines: list[str], ends_with_newline: bool):
        self.lines = lines
        self.ends_with_newline = ends_with_newline
        self.n = len(lines)
        # Per line: indentation and content (None for blank or comment-only lines). Compact sequence items
        # (``- key: v``) rewrite their line's entry to the item's own column and text.
        self.indent: list[int] = []
        self.content: list[str | None] = []
        for line in lines:
            stripped = line.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                self.indent.append(0)
                self.content.append(None)
            else:
                self.indent.append(len(line) - len(stripped))
                self.content.append(stripped.rstrip(" "))
        self.i = 0
        self.end = 0

    def next_line(self, i: int) -> int:
        content = self.content
        end = self.end
        while i < end and content[i] is None:
            i += 1
        return i

    # -- blocks -------------------------------------------------------------------------------------------------

    def parse_document(self, start: int, end: int) -> Any:
        self.end = end
        i = self.next_line(start)
        if i >= end:
            return None
        content = self.content[i]
        assert content is not None
        value: YMap | YSeq
        if content == "-" or content.startswith("- "):
            value = self.parse_seq(i, self.indent[i])
        elif _KEY_RE.match(content):
            value = self.parse_map(i, self.indent[i])
        else:
            raise Unsupported("document is not a block collection")
        if self.next_line(self.i) < end:
            raise Unsupported("trailing content")
        return value

    def parse_map(self, i: int, indent: int) -> YMap:
        result = YMap((i + 1, indent + 1))
        while True:
            i = self.next_line(i)
            if i >= self.end or self.indent[i] < indent:
                break
            content = self.content[i]
            assert content is not None
            if self.indent[i] > indent:
                raise Unsupported("unexpected indentation")
            match = _KEY_RE.match(content)
            if match is None:
                if content == "-" or content.startswith("- "):
                    break  # a sequence at the parent key's indentation ends here
                raise Unsupported("not a key")
            plain, dq, sq = match.group("plain", "dq", "sq")
            if plain is not None:
                if _resolve_plain(plain) != plain or not isinstance(_resolve_plain(plain), str):
                    raise Unsupported("non-string key")
                key = plain
            elif dq is not None:
                key = dq
            else:
                key = sq
            if key in result:
                raise Unsupported("duplicate key")
            result.kpos[key] = (i + 1, indent + 1)
            rest = content[match.end() :]
            col = indent + match.end()
            value, vpos, i = self.parse_value(rest, i, col, indent, in_map=True)
            result[key] = value
            result.vpos[key] = vpos
        self.i = i
        return result

    def parse_seq(self, i: int, indent: int) -> YSeq:
        result = YSeq((i + 1, indent + 1))
        while True:
            i = self.next_line(i)
            if i >= self.end or self.indent[i] < indent:
                break
            content = self.content[i]
            assert content is not None
            if self.indent[i] > indent:
                raise Unsupported("unexpected indentation")
            if not (content == "-" or content.startswith("- ")):
                break
            rest = content[1:].lstrip(" ")
            col = indent + len(content) - len(rest)
            if rest and not rest.startswith("#") and (_KEY_RE.match(rest) or rest == "-" or rest.startswith("- ")):
                # compact nested collection: re-read this line as starting at the item's column
                self.indent[i] = col
                self.content[i] = rest
                if rest == "-" or rest.startswith("- "):
                    value: Any = self.parse_seq(i, col)
                else:
                    value = self.parse_map(i, col)
                vpos = (i + 1, col + 1)
                i = self.i
            else:
                value, vpos, i = self.parse_value(rest, i, col, indent, in_map=False)
            result.append(value)
            result.ipos.append(vpos)
        self.i = i
        return result

    def parse_value(self, rest: str, i: int, col: int, owner: int, in_map: bool) -> tuple[Any, tuple[int, int], int]:
        """Parse what follows ``key:`` or ``-`` on line ``i`` (``rest`` starts at column ``col``).

        Returns the value, its position and the index of the next line to read.
        """
        if not rest or rest.startswith("#"):
            j = self.next_line(i + 1)
            if j < self.end and self.indent[j] > owner:
                content = self.content[j]
                assert content is not None
                if content == "-" or content.startswith("- "):
                    value: Any = self.parse_seq(j, self.indent[j])
                else:
                    value = self.parse_map(j, self.indent[j])
                return value, value.pos, self.i
            if in_map and j < self.end and self.indent[j] == owner:
                content = self.content[j]
                assert content is not None
                if content == "-" or content.startswith("- "):
                    seq = self.parse_seq(j, owner)
                    return seq, seq.pos, self.i
            return None, (i + 1, col + 1), i + 1
        pos = (i + 1, col + 1)
        first = rest[0]
        if first == "|":
            value = self.block_scalar(rest, i, owner)
            return value, pos, self.i
        if first == '"':
            match = _DQ_RE.match(rest)
            if match is None:
                raise Unsupported("multi-line double-quoted scalar")
            _after_scalar(rest[match.end() :])
            value = _double_quoted(match.group(1))
        elif first == "'":
            match = _SQ_RE.match(rest)
            if match is None:
                raise Unsupported("multi-line single-quoted scalar")
            _after_scalar(rest[match.end() :])
            value = match.group(1).replace("''", "'")
        elif first == "[":
            value = self.flow_seq(rest, i, col)
        elif first == "{":
            value = self.flow_map(rest, i, col)
        else:
            value = _plain_value(_strip_comment(rest))
        j = self.next_line(i + 1)
        if j < self.end and self.indent[j] > owner:
            raise Unsupported("continuation line")
        return value, pos, i + 1

    def block_scalar(self, header: str, i: int, owner: int) -> str:
        header = _strip_comment(header)
        if header == "|":
            chomp = "clip"
        elif header == "|-":
            chomp = "strip"
        else:
            raise Unsupported("block scalar header")
        lines = self.lines
        j = i + 1
        end = self.end
        while j < end and lines[j] == "":
            j += 1
        if j >= end:
            raise Unsupported("empty block scalar")
        first = lines[j]
        content_indent = len(first) - len(first.lstrip(" "))
        if content_indent <= owner or content_indent == len(first):
            raise Unsupported("block scalar indentation")
        body: list[str] = [""] * (j - i - 1)
        last_content = j
        while j < end:
            line = lines[j]
            if line == "":
                body.append("")
            elif line.strip(" ") == "":
                raise Unsupported("whitespace-only line in block scalar")
            elif len(line) - len(line.lstrip(" ")) >= content_indent:
                body.append(line[content_indent:])
                last_content = j
            else:
                break
            j += 1
        core = body[: last_content - i]
        if last_content == self.n - 1 and not self.ends_with_newline:
            raise Unsupported("block scalar at end of text without newline")
        text = "\n".join(core)
        self.i = j
        return text + "\n" if chomp == "clip" else text

    # -- flow collections on one line ------------------------------------------------------------------------------

    def _flow_scalar(self, text: str, k: int, stops: frozenset[str]) -> tuple[Any, int]:
        first = text[k]
        if first == '"':
            match = _DQ_RE.match(text, k)
            if match is None:
                raise Unsupported("flow scalar")
            return _double_quoted(match.group(1)), match.end()
        if first == "'":
            match = _SQ_RE.match(text, k)
            if match is None:
                raise Unsupported("flow scalar")
            return match.group(1).replace("''", "'"), match.end()
        j = k
        while j < len(text) and text[j] not in stops:
            if text[j] == ":" and (j + 1 == len(text) or text[j + 1] in " ,]}"):
                break
            j += 1
        token = text[k:j].rstrip(" ")
        if not token or token[0] in _PLAIN_START_FORBIDDEN or (token[0] == "-" and token[1:2] in ("", " ")):
            raise Unsupported("flow plain scalar")
        return _resolve_plain(token), k + len(token)

    def flow_seq(self, text: str, i: int, col: int) -> YSeq:
        result = YSeq((i + 1, col + 1))
        k = 1
        n = len(text)
        while True:
            while k < n and text[k] == " ":
                k += 1
            if k >= n:
                raise Unsupported("multi-line flow sequence")
            if text[k] == "]" and not result:
                k += 1
                break
            if text[k] in ",]{[":
                raise Unsupported("flow sequence item")
            item_col = col + k
            value, k = self._flow_scalar(text, k, _FLOW_PLAIN_STOP)
            result.append(value)
            result.ipos.append((i + 1, item_col + 1))
            k, closed = _after_flow_item(text, k, "]", "flow sequence syntax")
            if closed:
                break
        _after_scalar(text[k:])
        return result

    def flow_map(self, text: str, i: int, col: int) -> YMap:
        result = YMap((i + 1, col + 1))
        k = 1
        n = len(text)
        while True:
            while k < n and text[k] == " ":
                k += 1
            if k >= n:
                raise Unsupported("multi-line flow mapping")
            if text[k] == "}" and not result:
                k += 1
                break
            key_col = col + k
            key, k = self._flow_scalar(text, k, _FLOW_PLAIN_STOP | {":"})
            if not isinstance(key, str) or key in result:
                raise Unsupported("flow mapping key")
            if not (k + 1 < n and text[k] == ":" and text[k + 1] == " "):
                raise Unsupported("flow mapping syntax")
            k += 1
            while k < n and text[k] == " ":
                k += 1
            if k >= n or text[k] in ",}{[":
                raise Unsupported("flow mapping value")
            value_col = col + k
            value, k = self._flow_scalar(text, k, _FLOW_PLAIN_STOP)
            result[key] = value
            result.kpos[key] = (i + 1, key_col + 1)
            result.vpos[key] = (i + 1, value_col + 1)
            k, closed = _after_flow_item(text, k, "}", "flow mapping syntax")
            if closed:
                break
        _after_scalar(text[k:])
        return result


def _after_flow_item(text: str, k: int, closer: str, what: str) -> tuple[int, bool]:
    """Skip what follows a flow item: ``, `` before the next one (``False``) or the closing bracket (``True``)."""
    n = len(text)
    while k < n and text[k] == " ":
        k += 1
    if k < n and text[k] == ",":
        k += 1
        while k < n and text[k] == " ":
            k += 1
        if k < n and text[k] == closer:
            raise Unsupported("trailing comma")
        return k, False
    if k < n and text[k] == closer:
        return k + 1, True
    raise Unsupported(what)


def _is_marker(line: str, marker: str) -> bool:
    return line == marker or line.startswith(marker + " ")


def parse(text: str) -> list[Document]:
    """Every non-empty document of ``text`` (same result as ruamel.yaml) or ``Unsupported``."""
    if "\t" in text or "\r" in text or text.startswith("\ufeff") or _BAD_CHARS_RE.search(text):
        raise Unsupported("characters")
    lines = text.split("\n")
    ends_with_newline = text.endswith("\n")
    if ends_with_newline:
        lines.pop()
    # Split at ``---`` lines; ``...``, directives and content after ``---`` are left to ruamel.
    starts: list[int] = []
    for index, line in enumerate(lines):
        if not line or line[0] not in "-.%":
            continue
        if _is_marker(line, "---"):
            rest = line[3:].strip(" ")
            if rest and not rest.startswith("#"):
                raise Unsupported("content after ---")
            starts.append(index)
        elif line.startswith("...") or line.startswith("%"):
            raise Unsupported("document end or directive")
    parser = _Parser(lines, ends_with_newline)
    bounds: list[tuple[int, int]] = []
    previous = 0
    for index in starts:
        bounds.append((previous, index))
        previous = index + 1
    bounds.append((previous, len(lines)))
    docs: list[Document] = []
    for start, end in bounds:
        data = parser.parse_document(start, end)
        if data is not None:
            docs.append(Document(data, data.pos, len(docs)))
    return docs
