"""Reading YAML with positions.

Parsed documents are plain JSON-like data built from ``YMap`` (a dict) and ``YSeq`` (a list) that also remember
where each key, value and item was written (1-based line and column), so any later check can point at the exact
spot. Scalars are plain ``str``/``int``/``float``/``bool``/``None`` (YAML 1.2: ``yes``/``no`` are strings).

ruamel.yaml's round-trip loader is the reference parser, but it is pure Python and takes over a second for a
thousand small documents. ``fastyaml`` parses the common block-style subset used in manifests about twenty times
faster and gives up (``Unsupported``) on anything else; the file is then parsed by ruamel. Both produce the same
values and positions (tests compare them).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

Pos = tuple[int, int]
"""1-based (line, column)."""


class YMap(dict[str, Any]):
    """A mapping that remembers the positions of its keys and values."""

    __slots__ = ("kpos", "pos", "vpos")

    def __init__(self, pos: Pos = (0, 0)):
        super().__init__()
        self.pos = pos
        self.kpos: dict[str, Pos] = {}
        self.vpos: dict[str, Pos] = {}

    def key_pos(self, key: str) -> Pos:
        return self.kpos.get(key, self.pos)

    def value_pos(self, key: str) -> Pos:
        """Where the value starts; the key's position when the value is empty (null)."""
        if self.get(key) is None:
            return self.key_pos(key)
        return self.vpos.get(key) or self.key_pos(key)


class YSeq(list[Any]):
    """A list that remembers the positions of its items."""

    __slots__ = ("ipos", "pos")

    def __init__(self, pos: Pos = (0, 0)):
        super().__init__()
        self.pos = pos
        self.ipos: list[Pos] = []

    def item_pos(self, index: int) -> Pos:
        if 0 <= index < len(self.ipos):
            return self.ipos[index]
        return self.pos


class YamlSyntaxError(Exception):
    """The text is not valid YAML; ``line``/``column`` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Document:
    """One YAML document of a file: its data and where it starts."""

    __slots__ = ("data", "index", "pos")

    def __init__(self, data: Any, pos: Pos, index: int):
        self.data = data
        self.pos = pos
        self.index = index


_RUAMEL = YAML(typ="rt")


def parse_documents(text: str) -> list[Document]:
    """Every non-empty document of a YAML text. Raises ``YamlSyntaxError``."""
    from rossum_iac.manifest import fastyaml

    try:
        return fastyaml.parse(text)
    except fastyaml.Unsupported:
        pass
    return _parse_with_ruamel(text)


def _parse_with_ruamel(text: str) -> list[Document]:
    try:
        raw_docs = list(_RUAMEL.load_all(text))
    except MarkedYAMLError as exc:
        raise _syntax_error(exc) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}") from None
    docs: list[Document] = []
    for raw in raw_docs:
        if raw is None:
            continue
        pos = _lc_pos(raw)
        docs.append(Document(from_ruamel(raw), pos, len(docs)))
    return docs


def _syntax_error(exc: MarkedYAMLError) -> YamlSyntaxError:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if problem.startswith("found duplicate key"):
        key = problem.split('"')[1] if '"' in problem else "?"
        first = exc.context_mark
        where = f" (first written on line {first.line + 1})" if first is not None else ""
        message = f"duplicate key '{key}' in the same mapping{where}; each key may appear only once"
    else:
        message = f"invalid YAML: {problem}"
        if exc.context and exc.problem and exc.context_mark is not None:
            message += f" ({exc.context.strip()} on line {exc.context_mark.line + 1})"
    if mark is None:
        return YamlSyntaxError(message)
    return YamlSyntaxError(message, mark.line + 1, mark.column + 1)


def _lc_pos(node: Any) -> Pos:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return (0, 0)
    return (lc.line + 1, lc.col + 1)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _key(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return str(_scalar(value))


def from_ruamel(node: Any, pos: Pos | None = None) -> Any:
    """Convert ruamel round-trip data to ``YMap``/``YSeq``/plain scalars with 1-based positions."""
    if isinstance(node, CommentedMap):
        out = YMap(pos or _lc_pos(node))
        data = node.lc.data
        for raw_key, raw_value in node.items():
            key = _key(raw_key)
            where = data.get(raw_key)
            if where is not None:
                out.kpos[key] = (where[0] + 1, where[1] + 1)
                vpos = (where[2] + 1, where[3] + 1)
                out.vpos[key] = vpos
            else:  # keys from a merge (<<) have no own position
                vpos = out.pos
            out[key] = from_ruamel(raw_value, vpos)
        return out
    if isinstance(node, CommentedSeq):
        seq = YSeq(pos or _lc_pos(node))
        data = node.lc.data
        for index, raw_item in enumerate(node):
            where = data.get(index) if isinstance(data, dict) else (data[index] if index < len(data) else None)
            ipos = (where[0] + 1, where[1] + 1) if where is not None else seq.pos
            seq.ipos.append(ipos)
            seq.append(from_ruamel(raw_item, ipos))
        return seq
    if isinstance(node, dict):  # other mapping types (e.g. from tags): no positions
        out = YMap(pos or (0, 0))
        for raw_key, raw_value in node.items():
            out[_key(raw_key)] = from_ruamel(raw_value, out.pos)
        return out
    if isinstance(node, list | tuple):
        seq = YSeq(pos or (0, 0))
        for raw_item in node:
            seq.ipos.append(seq.pos)
            seq.append(from_ruamel(raw_item, seq.pos))
        return seq
    return _scalar(node)


def plain(value: Any) -> Any:
    """A copy without position information (plain dict/list)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
