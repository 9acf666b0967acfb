"""Where objects refer to datapoints by their schema id (used by ``validate`` and by ``plan``'s impact analysis).

``find_references(kind, fields)`` lists the mentions in one object's fields: a manifest object's (loaded values) or a
live object's (API data). Each mention has a strength:

- ``certain``: the API gives the value this meaning (rule ``trigger_condition`` and action payloads ``schema_id`` /
  ``schema_ids``; a schema's formulas, reasoning ``prompt`` and ``context``, text conditions in
  ``ui_configuration``; email template ``{{ annotation.content.value.ID }}`` placeholders). A missing id is an
  error in ``validate``.
- ``likely``: heuristic, in what extensions define (function code's ``field.ID`` forms and literals in a schema-id
  position; hook ``settings`` values under keys such as ``schema_id``, ``*_schema_id``, ``*_field``), and queue
  ``settings`` keys ``schema_id``/``schema_ids`` such as ``columns`` (the UI keeps a column after its datapoint
  leaves the schema: real organizations hold many such columns, and the API accepts them). A missing id is a
  warning.
- ``mention``: any other identifier-like text (a string literal in code, a value in hook ``settings``,
  ``sideload`` or connector ``params``) that equals a schema id. Never checked for existence (most such strings are
  not schema ids); it only counts when a plan removes or changes that very id.

Comments in code and conditions are ignored; docs/impact.md lists what is and is not detected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.manifest.code_scan import (
    IDENTIFIER,
    Language,
    Mention,
    code_mentions,
    placeholder_mentions,
    txscript_mentions,
)
from rossum_iac.manifest.model import Template
from rossum_iac.manifest.variables import placeholder_form

CERTAIN = "certain"
LIKELY = "likely"
MENTION = "mention"

Path = tuple[str | int, ...]

_KEYED = re.compile(r"^(?:.*_)?(?:schema_ids?|fields?|field_ids?|datapoints?|datapoint_ids?)$", re.IGNORECASE)
"""Keys of free-form settings whose values are taken for schema ids (``schema_id``, ``target_field``...)."""
_SCHEMA_TEXT_ATTRIBUTES = ("formula", "prompt")


@dataclass(frozen=True)
class SchemaIdRef:
    """One mention of a schema id in an object's fields."""

    schema_id: str
    path: Path
    """Where the value holding it is, from the object's top level (``("actions", 0, "payload", "schema_id")``)."""
    strength: str
    how: str = "value"
    """``value`` (the whole value), ``field`` (``field.ID``), ``literal`` (a string literal in code),
    ``placeholder`` (``{{ annotation.content.value.ID }}``)."""
    occurrence: int = 0
    """For a mention inside a text: which one of the same id and ``how`` it is (0 = first), to find it again in the
    text as written (``offset_in``)."""
    node: str | None = None
    """For schema content: the id of the node whose attribute holds it."""

    @property
    def field(self) -> str:
        """The path for messages: ``actions[0].payload.schema_id``; in schema content ``content (formula of 'x')``."""
        if self.node is not None and self.path and self.path[0] == "content":
            attribute = next((p for p in reversed(self.path) if isinstance(p, str)), "content")
            return f"content ({attribute} of {self.node!r})"
        return dotted(self.path)

    def offset_in(self, text: str, language: Language = "python") -> int | None:
        """Where this mention is in ``text`` (the text as written), or None."""
        if self.how == "value":
            return None
        found = [m for m in mentions_in(text, self.how, language) if m.schema_id == self.schema_id]
        return found[self.occurrence].offset if self.occurrence < len(found) else None


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def mentions_in(text: str, how: str, language: Language = "python") -> list[Mention]:
    if how == "placeholder":
        return placeholder_mentions(text)
    if how == "literal":
        return [m for m in code_mentions(text, language) if m.how == "literal"]
    if language == "python":
        return txscript_mentions(text)
    return [m for m in code_mentions(text, language) if m.how == "field"]


def as_text(value: Any) -> str | None:
    """A text value as written (placeholders of ``${ref...}``/``${env...}`` as their text), else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, Template):
        text: str = placeholder_form(value)
        return text
    return None


def code_language(fields: Mapping[str, Any]) -> Language:
    config = fields.get("config")
    runtime = config.get("runtime") if isinstance(config, Mapping) else None
    return "javascript" if isinstance(runtime, str) and runtime.startswith("node") else "python"


# --- schema content ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaNode:
    id: str
    category: str
    type: str | None
    parent: str | None
    label: Any
    index: int
    """Position among its parent's children."""
    path: Path
    """Path of the node inside ``content``."""
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The node itself."""


def schema_nodes(content: Any) -> dict[str, SchemaNode]:
    """Every node of schema content by id (sections, multivalues, tuples and datapoints)."""
    nodes: dict[str, SchemaNode] = {}

    def walk(items: list[tuple[Any, Path]], parent: str | None) -> None:
        for index, (node, here) in enumerate(items):
            if not isinstance(node, Mapping):
                continue
            node_id = node.get("id")
            if isinstance(node_id, str) and node_id not in nodes:
                kind = node.get("type")
                nodes[node_id] = SchemaNode(
                    node_id,
                    str(node.get("category", "")),
                    kind if isinstance(kind, str) else None,
                    parent,
                    node.get("label"),
                    index,
                    here,
                    node,
                )
            owner = node_id if isinstance(node_id, str) else parent
            children = node.get("children")
            if isinstance(children, Mapping):  # a multivalue's single child
                walk([(children, (*here, "children"))], owner)
            elif isinstance(children, list):
                walk([(child, (*here, "children", i)) for i, child in enumerate(children)], owner)

    if isinstance(content, list):
        walk([(node, (i,)) for i, node in enumerate(content)], None)
    return nodes


def node_at(content: Any, path: Path) -> Any:
    node = content
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
    return node


# --- finding references --------------------------------------------------------------------------------------------


def find_references(kind: str, fields: Mapping[str, Any]) -> list[SchemaIdRef]:
    """Every mention of a schema id in one object's fields (manifest values or live API data)."""
    finder = _FINDERS.get(kind)
    return list(finder(fields)) if finder is not None else []


def _text_refs(
    value: Any, path: Path, strength: str, found: list[Mention], node: str | None = None
) -> list[SchemaIdRef]:
    counts: dict[tuple[str, str], int] = {}
    out = []
    for mention in found:
        ident = (mention.schema_id, mention.how)
        occurrence = counts.get(ident, 0)
        counts[ident] = occurrence + 1
        out.append(SchemaIdRef(mention.schema_id, path, strength, mention.how, occurrence, node))
    return out


def _txscript(value: Any, path: Path, strength: str = CERTAIN, node: str | None = None) -> list[SchemaIdRef]:
    text = as_text(value)
    return _text_refs(value, path, strength, txscript_mentions(text), node) if text else []


def _placeholders(value: Any, path: Path) -> list[SchemaIdRef]:
    text = as_text(value)
    return _text_refs(value, path, CERTAIN, placeholder_mentions(text)) if text else []


def _walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every value inside ``value`` with its path (mappings and lists are walked, leaves yielded)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    else:
        yield path, value


def _last_key(path: Path) -> str | None:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return None


def _identifier(value: Any) -> str | None:
    text = as_text(value)
    return text if text is not None and IDENTIFIER.match(text) else None


def _keyed_values(value: Any, path: Path, keyed: Callable[[str], bool], strength: str) -> list[SchemaIdRef]:
    """Identifier values under keys that name schema ids get ``strength``; any other identifier value is a mention."""
    out = []
    for where, leaf in _walk(value, path):
        ident = _identifier(leaf)
        if ident is None:
            continue
        key = _last_key(where[len(path) :]) if len(where) > len(path) else None
        out.append(SchemaIdRef(ident, where, strength if key is not None and keyed(key) else MENTION))
    return out


def _rule(fields: Mapping[str, Any]) -> Iterator[SchemaIdRef]:
    yield from _txscript(fields.get("trigger_condition"), ("trigger_condition",))
    actions = fields.get("actions")
    if not isinstance(actions, list):
        return
    for index, action in enumerate(actions):
        payload = action.get("payload") if isinstance(action, Mapping) else None
        if not isinstance(payload, Mapping):
            continue
        base: Path = ("actions", index, "payload")
        for where, leaf in _walk(payload, base):
            key = _last_key(where)
            if key in ("schema_id", "schema_ids") and _identifier(leaf):
                yield SchemaIdRef(str(_identifier(leaf)), where, CERTAIN)
            elif as_text(leaf) is not None:
                yield from _placeholders(leaf, where)


def schema_references(
    fields: Mapping[str, Any], nodes: Mapping[str, SchemaNode] | None = None
) -> Iterator[SchemaIdRef]:
    """A schema's mentions of schema ids (formulas, ...); ``nodes``: its ``schema_nodes``, when the caller has them."""
    if nodes is None:
        nodes = schema_nodes(fields.get("content"))
    for node in nodes.values():
        data = node.data
        base: Path = ("content", *node.path)
        for attribute in _SCHEMA_TEXT_ATTRIBUTES:
            yield from _txscript(data.get(attribute), (*base, attribute), node=node.id)
        context = data.get("context")
        if isinstance(context, list):
            for index, item in enumerate(context):
                yield from _txscript(item, (*base, "context", index), node=node.id)
        ui = data.get("ui_configuration")
        if isinstance(ui, Mapping):
            for where, leaf in _walk(ui, (*base, "ui_configuration")):
                if _last_key(where) not in ("type", "edit"):
                    yield from _txscript(leaf, where, node=node.id)


def _hook(fields: Mapping[str, Any]) -> Iterator[SchemaIdRef]:
    config = fields.get("config")
    code = as_text(config.get("code")) if isinstance(config, Mapping) else None
    if code:
        counts: dict[tuple[str, str], int] = {}
        for mention in code_mentions(code, code_language(fields)):
            ident = (mention.schema_id, mention.how)
            occurrence = counts.get(ident, 0)
            counts[ident] = occurrence + 1
            strength = LIKELY if mention.how == "field" or mention.keyed else MENTION
            yield SchemaIdRef(mention.schema_id, ("config", "code"), strength, mention.how, occurrence)
    yield from _keyed_values(fields.get("settings"), ("settings",), lambda key: bool(_KEYED.match(key)), LIKELY)
    yield from _keyed_values(fields.get("sideload"), ("sideload",), lambda key: False, MENTION)


def _queue(fields: Mapping[str, Any]) -> Iterator[SchemaIdRef]:
    # LIKELY, not CERTAIN: the UI keeps list columns of datapoints that left the schema, and the API accepts them
    yield from _keyed_values(
        fields.get("settings"), ("settings",), lambda key: key in ("schema_id", "schema_ids"), LIKELY
    )


def _email_template(fields: Mapping[str, Any]) -> Iterator[SchemaIdRef]:
    for name in ("subject", "message"):
        yield from _placeholders(fields.get(name), (name,))
    for name in ("to", "cc", "bcc"):
        for where, leaf in _walk(fields.get(name), (name,)):
            yield from _placeholders(leaf, where)


def _connector(fields: Mapping[str, Any]) -> Iterator[SchemaIdRef]:
    params = as_text(fields.get("params"))
    if params:
        for found in re.finditer(r"[A-Za-z_]\w*", params):
            yield SchemaIdRef(found.group(0), ("params",), MENTION)


_FINDERS: dict[str, Callable[[Mapping[str, Any]], Iterator[SchemaIdRef]]] = {
    "Rule": _rule,
    "Schema": schema_references,
    "Hook": _hook,
    "Queue": _queue,
    "EmailTemplate": _email_template,
    "Connector": _connector,
}
"""Kinds whose fields may name schema ids (other kinds have none)."""
