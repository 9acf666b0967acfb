"""Reading YAML with positions.

Parsed documents are plain JSON-like data built from ``YMap`` (a dict) and ``YSeq`` (a list) that also remember
where each key, value and item was written (1-based line and column), so any later check can point at the exact
spot. Scalars are plain ``str``/``int``/``float``/``bool``/``None`` (YAML 1.2: ``yes``/``no`` are strings).

ruamel.yaml's round-trip loader is the reference for every value and position, but it is pure Python and takes
over a second for a thousand small documents. Files are therefore built from the events of ruamel's C parser
(libyaml, package ``ruamel.yaml.clib``), with scalars typed by the round-trip loader's own resolver and
constructors. A file using what that path does not reproduce (explicit tags, merge keys ``<<``, complex keys,
``%YAML`` other than 1.2, NEL/LS/PS line breaks) or that the C parser rejects is read by the round-trip loader,
which also words the syntax errors. The event pass bounds nesting depth and alias expansion first, so hostile
input (a "billion laughs" document, thousands of nested brackets) is refused quickly, with a position.
"""

from __future__ import annotations

import datetime
import json
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

try:  # libyaml, from the package ruamel.yaml.clib
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - without it ruamel's pure-Python parser gives the same events, slower
    CParser = None

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


MAX_DEPTH = 300
"""Deepest nesting of mappings and lists accepted (real manifests stay below 20)."""
MAX_NODES = 1_000_000
"""Most values (scalars, mappings, lists) one document may expand to, counting every alias as a copy."""

_TYPING = YAML(typ="rt")
"""Resolver and scalar constructors of the round-trip loader. It never loads: a ``YAML`` object that has read a
``%YAML 1.1`` document keeps typing scalars as YAML 1.1 (``y`` becomes true), so each fallback load gets a new one."""
_RESOLVER = _TYPING.resolver
_CONSTRUCTOR = _TYPING.constructor

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_CONSTRUCTED = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}
_UNSUPPORTED = object()
"""A plain scalar only the round-trip loader reads (the merge key ``<<``, ``=``)."""
_ODD_CHARACTERS = ("\t", "\x85", "\u2028", "\u2029")
"""Tabs (libyaml accepts some that ruamel.yaml rejects, e.g. after ``key:``) and what libyaml (YAML 1.1) but not
ruamel.yaml (YAML 1.2) reads as line breaks."""


class _Fallback(Exception):
    """The C parser rejected the text or it cannot be read exactly like the round-trip loader: use that."""


class _BadScalar(Exception):
    """A plain scalar that looks like a number or timestamp but is none (``2024-13-45``, ``0x_``)."""


def parse_documents(text: str) -> list[Document]:
    """Every non-empty document of a YAML text. Raises ``YamlSyntaxError``."""
    try:
        return _parse_events(text)
    except _Fallback:
        return _parse_with_ruamel(text)


def _event_source(text: str) -> Callable[[], Any]:
    if CParser is None:
        return iter(YAML(typ="safe", pure=True).parse(text)).__next__
    try:
        return CParser(text).get_event
    except UnicodeEncodeError:  # lone surrogates: ruamel.yaml words the error
        raise _Fallback from None


def _parse_events(text: str) -> list[Document]:
    get_event = _event_source(text)
    composer = _Composer(get_event)
    docs: list[Document] = []
    try:
        get_event()  # stream start
        while (start := get_event()).__class__ is not StreamEndEvent:
            if start.version not in (None, (1, 2)):  # %YAML 1.1 types scalars differently
                composer.fallback = True
            data, pos = composer.document()
            if data is not None:
                docs.append(Document(data, pos, len(docs)))
    except YAMLError:
        raise _Fallback from None
    if composer.fallback or any(c in text for c in _ODD_CHARACTERS):
        raise _Fallback
    return docs


_IMPLICIT = _RESOLVER.versioned_resolver
_TYPED_STARTS = frozenset(start for start in _IMPLICIT if start) if None not in _IMPLICIT else frozenset()
"""The first characters of the plain scalars the resolver may type as something else than a string (digits,
``-``, ``.``, ``t``, ``n``, ``~``...): its table of implicit types is keyed by first character (YAML 1.2). Empty
(every scalar is typed) if the resolver has types for any first character (the key ``None``)."""


def _plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar, typed exactly as ruamel's round-trip loader types it (YAML 1.2)."""
    if _TYPED_STARTS and text and text[0] not in _TYPED_STARTS:
        return text  # most scalars (names, keys, URLs) are strings the resolver would not even try to type
    return _typed_plain(text)


@lru_cache(maxsize=8192)
def _typed_plain(text: str) -> Any:
    tag = str(_RESOLVER.resolve(ScalarNode, text, (True, False)))
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    construct = _CONSTRUCTED.get(tag)
    if construct is None:
        return _UNSUPPORTED
    try:
        return _scalar(construct(ScalarNode(tag, text)))
    except (ArithmeticError, LookupError, ValueError) as exc:  # raised by ruamel's constructors
        shown = text if len(text) <= 40 else text[:37] + "..."
        what = f"a date or time but is not one ({exc})" if tag.endswith("timestamp") else "a number but is not one"
        raise _BadScalar(f"invalid YAML: {shown!r} looks like {what}; quote it if it is text") from None


def _copy(value: Any) -> Any:
    """A deep copy of an anchored value for one of its aliases (positions stay those of the anchored text)."""
    if isinstance(value, YMap):
        out = YMap(value.pos)
        out.kpos = dict(value.kpos)
        out.vpos = dict(value.vpos)
        for key, item in value.items():
            out[key] = _copy(item)
        return out
    if isinstance(value, YSeq):
        seq = YSeq(value.pos)
        seq.ipos = list(value.ipos)
        seq.extend(_copy(item) for item in value)
        return seq
    return value


class _Frame:
    """A mapping or list being filled."""

    __slots__ = ("anchor", "container", "key", "kpos", "start")

    def __init__(self, container: YMap | YSeq, anchor: str | None, start: int):
        self.container = container
        self.anchor = anchor
        self.start = start
        self.key: str | None = None
        self.kpos: Pos = (0, 0)


class _Composer:
    """Builds ``YMap``/``YSeq`` documents from parser events, bounding depth and alias expansion.

    ``fallback`` is set when something is seen that only the round-trip loader reads exactly; the documents are
    still composed to the end so that the bounds apply to the whole text before it is handed over.
    """

    def __init__(self, get_event: Callable[[], Any]):
        self.get_event = get_event
        self.fallback = False

    def document(self) -> tuple[Any, Pos]:
        """The next document's value and position (after its start event, up to and including its end event)."""
        get_event = self.get_event
        anchors: dict[str, tuple[Any, Pos, int]] = {}
        stack: list[_Frame] = []
        nodes = 0
        duplicate: YamlSyntaxError | None = None
        root: Any = None
        root_pos: Pos = (0, 0)
        while True:
            event = get_event()
            cls = event.__class__
            if cls is ScalarEvent:
                mark = event.start_mark
                pos = (mark.line + 1, mark.column + 1)
                nodes += 1
                if event.ctag is not None:  # an explicit tag (``ctag``: the slot behind the ``tag`` property)
                    self.fallback = True
                    value: Any = event.value
                elif event.style:
                    value = event.value
                else:
                    try:
                        value = _plain(event.value)
                    except _BadScalar as exc:
                        raise YamlSyntaxError(str(exc), *pos) from None
                    if value is _UNSUPPORTED:
                        self.fallback = True
                        value = event.value
                if event.anchor is not None:
                    anchors[event.anchor] = (value, pos, 1)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = event.start_mark
                if len(stack) >= MAX_DEPTH:
                    raise YamlSyntaxError(
                        f"invalid YAML: nested too deeply (more than {MAX_DEPTH} levels of mappings and lists)",
                        mark.line + 1,
                        mark.column + 1,
                    )
                if event.ctag is not None:
                    self.fallback = True
                nodes += 1
                container = YMap if cls is MappingStartEvent else YSeq
                stack.append(_Frame(container((mark.line + 1, mark.column + 1)), event.anchor, nodes))
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                value = frame.container
                pos = value.pos
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, pos, nodes - frame.start + 1)
            elif cls is AliasEvent:
                mark = event.start_mark
                entry = anchors.get(event.anchor)
                if entry is None:
                    if any(frame.anchor == event.anchor for frame in stack):
                        raise YamlSyntaxError(
                            f"invalid YAML: the alias *{event.anchor} refers to a value that contains it",
                            mark.line + 1,
                            mark.column + 1,
                        )
                    raise _Fallback  # undefined alias: ruamel.yaml words the error
                value, pos, size = entry
                if nodes + size > MAX_NODES:
                    raise YamlSyntaxError(
                        f"invalid YAML: too many aliases (the document would expand to more than {MAX_NODES:,} "
                        f"values at *{event.anchor})",
                        mark.line + 1,
                        mark.column + 1,
                    )
                nodes += size
                if size > 1:
                    value = _copy(value)
            else:  # DocumentEndEvent
                if duplicate is not None and not self.fallback:
                    raise duplicate
                return root, root_pos
            if not stack:
                root = value
                root_pos = pos if isinstance(value, YMap | YSeq) else (0, 0)
                continue
            top = stack[-1]
            target = top.container
            if isinstance(target, YSeq):
                target.append(value)
                target.ipos.append(pos)
            elif top.key is None:
                if value.__class__ is str:
                    key = value
                else:
                    if isinstance(value, YMap | YSeq):
                        self.fallback = True  # a complex key
                    key = _key(value)
                if key in target and duplicate is None:
                    first = target.kpos[key][0]
                    duplicate = YamlSyntaxError(
                        f"duplicate key '{key}' in the same mapping (first written on line {first}); "
                        "each key may appear only once",
                        pos[0],
                        pos[1],
                    )
                top.key = key
                top.kpos = pos
            else:
                key = top.key
                target[key] = value
                target.kpos[key] = top.kpos
                target.vpos[key] = pos
                top.key = None


def _parse_with_ruamel(text: str) -> list[Document]:
    try:
        with warnings.catch_warnings():  # a redefined anchor is allowed (the C path does not warn either)
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            raw_docs = list(YAML(typ="rt").load_all(text))
        docs: list[Document] = []
        for raw in raw_docs:
            if raw is None:
                continue
            pos = _lc_pos(raw)
            docs.append(Document(from_ruamel(raw), pos, len(docs)))
    except MarkedYAMLError as exc:
        raise _syntax_error(exc) from None
    except ReaderError as exc:  # a character YAML does not allow: give its line and column
        at = exc.position
        if not (isinstance(at, int) and 0 <= at < len(text)):
            raise YamlSyntaxError(f"invalid YAML: {exc}") from None
        message = f"invalid YAML: unacceptable character #x{ord(text[at]):04x}: {exc.reason}"
        raise YamlSyntaxError(message, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlSyntaxError(f"invalid YAML: nested too deeply (more than {MAX_DEPTH} levels)") from None
    except (ArithmeticError, LookupError, ValueError) as exc:  # a constructor of ruamel.yaml failed on a scalar
        raise YamlSyntaxError(f"invalid YAML: a value cannot be read ({exc}); quote it if it is text") from None
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
    if isinstance(value, ScalarBoolean):  # an anchored true/false
        return bool(value)
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


def _check_size(node: Any, pos: Pos) -> None:
    """Refuse ruamel data nested too deeply or whose aliases would expand to too many values when converted.

    ruamel.yaml shares one object between an anchor and its aliases; ``from_ruamel`` copies it for each alias,
    so sizes are added up per distinct object first (quick even for a "billion laughs" document).
    """
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()

    def size(value: Any, at: Pos, depth: int) -> int:
        if isinstance(value, dict):
            children = [child for pair in value.items() for child in pair]
        elif isinstance(value, list | tuple):
            children = list(value)
        else:
            return 1
        known = sizes.get(id(value))
        if known is not None:
            return known
        at = _lc_pos(value) if isinstance(value, CommentedMap | CommentedSeq) else at
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(
                f"invalid YAML: nested too deeply (more than {MAX_DEPTH} levels of mappings and lists)", *at
            )
        if id(value) in open_ids:
            raise YamlSyntaxError("invalid YAML: an alias refers to a value that contains it", *at)
        open_ids.add(id(value))
        total = 1
        for child in children:
            total += size(child, at, depth + 1)
        open_ids.discard(id(value))
        if total > MAX_NODES:
            raise YamlSyntaxError(
                f"invalid YAML: too many aliases (the document would expand to more than {MAX_NODES:,} values)", *at
            )
        sizes[id(value)] = total
        return total

    size(node, pos, 1)


def from_ruamel(node: Any, pos: Pos | None = None) -> Any:
    """Convert ruamel round-trip data to ``YMap``/``YSeq``/plain scalars with 1-based positions.

    Raises ``YamlSyntaxError`` for data nested too deeply or expanding to too many values through aliases.
    """
    _check_size(node, pos or _lc_pos(node))
    return _convert(node, pos)


def _convert(node: Any, pos: Pos | None = None) -> Any:
    if isinstance(node, CommentedMap):
        out = YMap(pos or _lc_pos(node))
        data = node.lc.data if isinstance(node.lc.data, dict) else {}  # none for some tagged values
        for raw_key, raw_value in node.items():
            key = _key(raw_key)
            where = data.get(raw_key)
            if where is not None:
                out.kpos[key] = (where[0] + 1, where[1] + 1)
                vpos = (where[2] + 1, where[3] + 1)
                out.vpos[key] = vpos
            else:  # keys from a merge (<<) have no own position
                vpos = out.pos
            out[key] = _convert(raw_value, vpos)
        return out
    if isinstance(node, CommentedSeq):
        seq = YSeq(pos or _lc_pos(node))
        data = node.lc.data or {}  # none for some tagged values
        for index, raw_item in enumerate(node):
            where = data.get(index) if isinstance(data, dict) else (data[index] if index < len(data) else None)
            ipos = (where[0] + 1, where[1] + 1) if where is not None else seq.pos
            seq.ipos.append(ipos)
            seq.append(_convert(raw_item, ipos))
        return seq
    if isinstance(node, dict):  # other mapping types (e.g. from tags): no positions
        out = YMap(pos or (0, 0))
        for raw_key, raw_value in node.items():
            out[_key(raw_key)] = _convert(raw_value, out.pos)
        return out
    if isinstance(node, list | tuple):
        seq = YSeq(pos or (0, 0))
        for raw_item in node:
            seq.ipos.append(seq.pos)
            seq.append(_convert(raw_item, seq.pos))
        return seq
    return _scalar(node)


def plain(value: Any) -> Any:
    """A copy without position information (plain dict/list)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
